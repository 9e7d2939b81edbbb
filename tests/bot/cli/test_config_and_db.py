"""`tandem config check`, `tandem db upgrade` and help."""

import os
import signal
import socket
import sqlite3
import subprocess
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.config import EXAMPLE
from storage import migrate
from storage.db import async_url
from tests.bot.cli.conftest import (
    AIOSQLITE_RACE,
    CONFIG,
    TANDEM,
    _invoke_failing_connect,
)
from tests.conftest import DATA

ROOT = Path(__file__).resolve().parents[3]

# --- config check ------------------------------------------------------------------------


def test_config_check_example(cli):
    result = cli("config", "check", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"{EXAMPLE}: OK — 2 tenants, 5 people, 3 channels, 6 remediations\n")
    assert result.stderr == ""


def test_config_check_through_the_installed_script():
    if not TANDEM.exists():
        pytest.skip(f"console script not installed at {TANDEM}")
    done = subprocess.run(
        [str(TANDEM), "config", "check", str(EXAMPLE)], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.count("\n") == 1 and ": OK — 2 tenants" in done.stdout


GOOD_TENANTS = """\
tenants:
  - id: acme
    name: Acme Ltd
    code: ACME
    timezone: Europe/London
    channels:
      - {platform: slack, team: T0ACME, channel: C0OPS}
"""


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        (
            GOOD_TENANTS
            + """people:
  - {email: a@acme.example, name: A, side: internal, tenants: [acme]}
  - {email: b@acme.example, name: B, side: internal, tenants: [acme]}
  - {email: c@acme.example, name: C, side: internal, tenants: [acme]}
  - {email: d@acme.example, name: D, side: vendor, tenants: [acme]}
""",
            ["people[3].side: must be internal or partner"],
        ),
        (
            GOOD_TENANTS
            + """people:
  - {email: a@acme.example, name: A, side: internal, tenants: [acme, initech]}
""",
            ["people[0].tenants[1]: unknown tenant 'initech'"],
        ),
        (
            GOOD_TENANTS.replace("Europe/London", "Europe/Atlantis"),
            [
                "tenants[0].timezone: unknown time zone 'Europe/Atlantis' "
                "(use an IANA name such as Europe/London)"
            ],
        ),
        (
            GOOD_TENANTS
            + """people:
  - {email: sam@acme.example, name: Sam, side: internal, tenants: [acme]}
  - {email: Sam@ACME.example, name: Sam again, side: internal, tenants: [acme]}
""",
            ["people[1].email: 'sam@acme.example' appears twice"],
        ),
        (
            GOOD_TENANTS
            + """    routing:
      - match: {severity: [critical]}
      - channels: [C0OPS, C0NOPE]
""",
            ["tenants[0].routing[1].channels[1]: 'C0NOPE' is not a channel of tenant acme"],
        ),
        (
            GOOD_TENANTS + "people:\n  - {email: a@acme.example, name: [A\n",
            ["line 10, column 1: not valid YAML (expected ',' or ']', but got '<stream end>')"],
        ),
        (
            "tenants: []\npeople: {}\ncolour: blue\n",
            [
                "tenants: must not be empty",
                "people: must be a list",
                "colour: is not a known setting",
            ],
        ),
    ],
    ids=[
        "bad-side",
        "unknown-tenant",
        "bad-time-zone",
        "duplicate-email",
        "nested-channel",
        "yaml-syntax",
        "several",
    ],
)
def test_config_check_names_each_problem(cli, tmp_path, text, problems):
    path = tmp_path / "tandem.yaml"
    path.write_text(text)
    result = cli("config", "check", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [*problems, f"error: {len(problems)} problem(s) in {path}"]


def test_config_check_missing_file(cli, tmp_path):
    path = tmp_path / "absent.yaml"
    result = cli("config", "check", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "cannot read the file: No such file or directory",
        f"error: 1 problem(s) in {path}",
    ]


def test_commands_refuse_an_unusable_config(cli, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD_TENANTS.replace("code: ACME", "code: acme"))
    result = cli("alert", "list", config=path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: configuration {path} is not usable: "
        "tenants[0].code: must be 2 to 16 capital letters or digits, starting with a letter",
    ]


# --- database --------------------------------------------------------------------------------


def test_db_upgrade_on_an_empty_database(tmp_path):
    path = tmp_path / "fresh.db"
    env = {"TANDEM_DATABASE_URL": f"sqlite:///{path}", "TANDEM_CONFIG": str(CONFIG)}
    runner = CliRunner()
    first = runner.invoke(app, ["db", "upgrade"], env=env)
    assert (first.exit_code, first.stdout) == (0, f"database at schema {migrate.head_revision()}\n")
    with sqlite3.connect(path) as raw:
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        version = raw.execute("SELECT version_num FROM alembic_version").fetchall()
    assert {
        "tenant",
        "person",
        "membership",
        "alert",
        "remediation",
        "audit_event",
        "outbox",
        "message_ref",
        "command_key",
        "alembic_version",
    } <= tables
    assert version == [(migrate.head_revision(),)]
    again = runner.invoke(app, ["db", "upgrade"], env=env)
    assert (again.exit_code, again.stdout) == (0, first.stdout)
    # The upgraded database is ready for every other command.
    listed = runner.invoke(app, ["alert", "list"], env=env)
    assert (listed.exit_code, listed.stdout) == (0, "No alerts.\n")


@AIOSQLITE_RACE
def test_db_upgrade_copes_with_an_unwritable_place(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    env = {"TANDEM_DATABASE_URL": f"sqlite:///{blocker}/tandem.db", "TANDEM_CONFIG": str(CONFIG)}
    result = _invoke_failing_connect(["db", "upgrade"], env)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: database unavailable: ")
    assert isinstance(result.exception, SystemExit)


def test_help_lists_the_command_groups():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for group in ("alert", "audit", "config", "db", "serve"):
        assert group in result.stdout


def _serve(tmp_path, port: int | None, **env) -> subprocess.CompletedProcess:
    if not TANDEM.exists():
        pytest.skip(f"console script not installed at {TANDEM}")
    environ = {"PATH": os.environ["PATH"], "TANDEM_DATABASE_URL": f"sqlite:///{tmp_path}/t.db",
               "PYTHONPATH": str(ROOT), **env}  # the code under test, not only the installed
    given = [] if port is None else ["--port", str(port)]
    return subprocess.run([str(TANDEM), "serve", *given], env=environ,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("env", "first"), [
    ({"TANDEM_CONFIG": "/nonexistent/tandem.yaml"},
     "error: configuration /nonexistent/tandem.yaml is not usable: cannot read the file: "
     "No such file or directory\n"),
    ({"TANDEM_CONFIG": str(DATA / "bad-yaml.yaml")},
     f"error: configuration {DATA / 'bad-yaml.yaml'} is not usable: "),
    ({"TANDEM_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none"},
     "error: database unavailable: "),
    ({"TANDEM_DATABASE_URL": "mysql://root@127.0.0.1/tandem"},
     "error: TANDEM_DATABASE_URL: unknown database scheme 'mysql'; use sqlite:///PATH or "),
    ({"TANDEM_DATABASE_URL": "postgresql//tandem:s3cret@db/tandem"},
     "error: TANDEM_DATABASE_URL: not a database URL; use sqlite:///PATH or "),
    ({"TANDEM_PORT": "eighty"},
     "error: TANDEM_PORT: Input should be a valid integer"),
    ({"TANDEM_PG_WRITERS": "0", "TANDEM_PORT": "8080"},
     "error: TANDEM_PG_WRITERS: Input should be greater than or equal to 1 (got '0')"),
])
def test_serve_start_up_errors_are_one_sentence(tmp_path, env, first):
    done = _serve(tmp_path, None if "TANDEM_PORT" in env else 1, **env)
    assert done.returncode == 1 and done.stderr.startswith(first), done.stderr
    assert "s3cret" not in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1


def test_serve_on_a_taken_port_says_so(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _serve(tmp_path, port)
    assert done.returncode == 1
    # the address is taken before anything else starts: the error is all there is
    assert done.stderr.splitlines() == [
        f"error: cannot listen on http://127.0.0.1:{port}: Address already in use"]


def test_postgres_urls_are_postgresql_urls():
    assert async_url("postgres://u@h:5432/tandem") == "postgresql+asyncpg://u@h:5432/tandem"
    assert async_url("postgresql://u@h/tandem") == "postgresql+asyncpg://u@h/tandem"
    assert async_url("sqlite:///t.db") == "sqlite+aiosqlite:///t.db"


def test_serve_on_port_0_says_which_port_it_got(tmp_path):
    if not TANDEM.exists():
        pytest.skip(f"console script not installed at {TANDEM}")
    environ = {"PATH": os.environ["PATH"], "TANDEM_DATABASE_URL": f"sqlite:///{tmp_path}/t.db",
               "TANDEM_CONFIG": str(CONFIG)}
    server = subprocess.Popen([str(TANDEM), "serve", "--port", "0"], env=environ, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for line in server.stdout:
            if "tandem listening on" in line:
                break
        port = int(line.rstrip().rsplit(":", 1)[1])
        assert port > 0
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            assert answer.status == 200
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=15) == 0
