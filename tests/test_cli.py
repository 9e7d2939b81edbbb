"""The `tandem` command line, driven for real against a SQLite file.

Alerts are created through intake (and some commands through the command API with a
chosen time) before the CLI is invoked on the same database file.
"""

import asyncio
import csv
import hashlib
import io
import json
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.config import EXAMPLE, load
from handlers.commands import Command, Identity, Outcome
from handlers.config_sync import sync
from handlers.enums import Severity, Verb
from handlers.service import execute
from storage import audit, migrate
from storage.db import connect
from tests.conftest import DATA, NOW, new_alert

CONFIG = DATA / "config.yaml"
LEE, DANA, GINA = "lee@acme.example", "dana@partner.example", "gina@globex.example"
TANDEM = Path(sys.executable).with_name("tandem")


def _file(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


@pytest.fixture
def cli(sqlite_url):
    """Invoke `tandem ...` in-process with this test's database and the test config."""
    runner = CliRunner()
    env = {"TANDEM_DATABASE_URL": sqlite_url, "TANDEM_CONFIG": str(CONFIG)}

    def invoke(*args: str, config: Path | None = None):
        chosen = env | ({"TANDEM_CONFIG": str(config)} if config else {})
        result = runner.invoke(app, list(args), env=chosen)
        # Known failures end in a clean exit, never in an exception or a traceback.
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        assert "Traceback" not in result.output
        return result

    invoke.url = sqlite_url
    return invoke


def _seed(url: str, *steps) -> list[str]:
    """Create alerts and apply commands directly, then close the database again.

    Each step is ("alert", tenant, severity) or (verb, alert index, email, at, args).
    """

    async def main() -> list[str]:
        cfg = load(CONFIG)
        db = connect(url)
        try:
            async with db.transaction() as session:
                await sync(session, cfg)
            made: list[str] = []
            for step in steps:
                if step[0] == "alert":
                    made.append(await new_alert(db, cfg, step[1], severity=step[2]))
                    continue
                verb, index, email, at, args = step
                done = await execute(
                    db, cfg, Command(verb, made[index], Identity(email=email), args), now=at
                )
                assert done.outcome is Outcome.DONE, done.message
            return made
        finally:
            await db.dispose()

    return asyncio.run(main())


def _two_alerts(url: str) -> list[str]:
    return _seed(url, ("alert", "acme", Severity.HIGH), ("alert", "globex", Severity.LOW))


def _invoke_failing_connect(args: list[str], env: dict):
    """Invoke a command whose database cannot be opened.

    aiosqlite stops its worker thread after a failed connect without waiting; when the
    command's event loop has already closed, that thread reports "Event loop is closed".
    Wait for the threads this command started, so the harmless report stays here.
    """
    before = set(threading.enumerate())
    result = CliRunner().invoke(app, args, env=env)
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=5)
    return result


def _error(result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr == f"error: {message}\n"
    assert result.stdout == ""


# --- config check ------------------------------------------------------------------------


def test_config_check_example(cli):
    result = cli("config", "check", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"{EXAMPLE}: OK — 2 tenants, 5 people, 3 channels, 3 remediations\n")
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
        f"error: configuration {path} is not usable:",
        "tenants[0].code: must be 2 to 16 capital letters or digits, starting with a letter",
    ]


# --- alerts --------------------------------------------------------------------------------


def test_list_shows_what_each_person_may_see(cli):
    acme, globex = _two_alerts(cli.url)
    everyone = cli("alert", "list")
    assert everyone.exit_code == 0
    lines = everyone.stdout.splitlines()
    assert [line.split(" · ")[0].split()[-1] for line in lines] == [globex, acme]  # newest first
    assert lines[1] == f"🟠 {acme} · Disk full on db-1 [high] — Open, Unclaimed"
    lee = cli("alert", "list", "--as", LEE)
    assert [line.split(" · ")[0].split()[-1] for line in lee.stdout.splitlines()] == [acme]
    dana = cli("alert", "list", "--as", DANA, "--tenant", "globex")
    assert dana.stdout.splitlines() == [f"🔵 {globex} · Disk full on db-1 [low] — Open, Unclaimed"]
    assert cli("alert", "list", "--as", GINA, "--state", "mine").stdout == "No alerts.\n"


def test_list_mine_and_unclaimed(cli):
    acme, _ = _two_alerts(cli.url)
    assert cli("alert", "claim", acme, "--as", LEE).exit_code == 0
    mine = cli("alert", "list", "--as", LEE, "--state", "mine")
    assert [line.split(" · ")[0].split()[-1] for line in mine.stdout.splitlines()] == [acme]
    assert "Claimed, Lee Chen (internal)" in mine.stdout
    unclaimed = cli("alert", "list", "--as", LEE, "--state", "unclaimed")
    assert unclaimed.stdout == "No alerts.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--as", LEE, "--tenant", "globex"), "No tenant 'globex' among yours."),
        (("--state", "bogus"), "Unknown list 'bogus'; use one of: open, mine, unclaimed, all."),
        (("--state", "mine"), "Listing 'mine' needs --as with your email."),
        (
            ("--as", "nobody@nowhere.example"),
            "Tandem does not know nobody@nowhere.example. Ask an admin to add you to the people "
            "section of Tandem's configuration, with your email and chat identity.",
        ),
    ],
)
def test_list_errors(cli, args, message):
    _two_alerts(cli.url)
    _error(cli("alert", "list", *args), message)


def test_show(cli):
    acme, _ = _two_alerts(cli.url)
    result = cli("alert", "show", acme.lower(), "--as", DANA)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"🟠 {acme} · Disk full on db-1 [high] — Open, Unclaimed"
    for line in (
        "Status: Open",
        "Tenant: Acme Ltd",
        "Owner: Unclaimed",
        "First seen: 2026-11-20 14:02 GMT",
    ):  # shown in the tenant's time zone
        assert line in lines


@pytest.mark.parametrize("command", ["show", "history"])
def test_reading_errors(cli, command):
    acme, globex = _two_alerts(cli.url)
    _error(cli("alert", command, "ACME-99"), "No alert ACME-99.")
    _error(cli("alert", command, "ACME-99", "--as", LEE), "No alert ACME-99 in your tenants.")
    _error(cli("alert", command, acme, "--as", GINA), f"No alert {acme} in your tenants.")
    unknown = cli("alert", command, globex, "--as", "mallory@evil.example")
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("error: Tandem does not know mallory@evil.example.")


def test_claim_escalate_release_resolve_and_history(cli):
    acme, _ = _two_alerts(cli.url)
    steps = [
        (("claim", acme, "--as", LEE), f"Lee Chen (internal) claimed {acme}."),
        (
            ("escalate", acme, "--as", LEE, "--reason", "db down"),
            f"Lee Chen (internal) escalated {acme}.",
        ),
        (("release", acme, "--as", LEE), f"Lee Chen (internal) released {acme}."),
        (("claim", acme, "--as", DANA), f"Dana Reyes (partner) claimed {acme}."),
        (("escalate", acme, "--as", DANA, "--side"), f"Dana Reyes (partner) escalated {acme}."),
        (
            ("resolve", acme, "--as", LEE, "--note", "disk cleaned"),
            f"Lee Chen (internal) resolved {acme}.",
        ),
    ]
    for args, said in steps:
        result = cli("alert", *args)
        assert (result.exit_code, result.stdout, result.stderr) == (0, said + "\n", ""), args
    shown = cli("alert", "show", acme).stdout.splitlines()
    assert "Status: Resolved" in shown
    history = cli("alert", "history", acme, "--as", DANA)
    assert history.exit_code == 0
    lines = history.stdout.splitlines()
    assert lines[0] == f"History of {acme}"
    assert [line.split("  ")[0] for line in lines[1:]] == [f"#{n}" for n in range(1, 8)]
    verbs = [line.split("  ")[3] for line in lines[1:]]
    assert verbs == ["created", "claim", "escalate", "release", "claim", "escalate", "resolve"]
    assert "level=1, reason=db down" in lines[3]
    assert "level=2, reason=, to_side=internal" in lines[6]
    assert lines[7].endswith("open -> resolved  note=disk cleaned")  # handed to internal


def test_command_errors_are_one_clear_line(cli):
    acme, globex = _two_alerts(cli.url)
    assert cli("alert", "claim", acme, "--as", LEE).exit_code == 0
    _error(cli("alert", "claim", acme, "--as", DANA), f"{acme} is already claimed by Lee Chen.")
    _error(
        cli("alert", "release", acme, "--as", DANA),
        f"Only Lee Chen, who owns {acme}, or an admin can release it.",
    )
    _error(cli("alert", "claim", "ACME-404", "--as", LEE), "No alert ACME-404.")
    _error(cli("alert", "claim", globex, "--as", LEE), f"No alert {globex} in your tenants.")
    _error(
        cli("alert", "resolve", acme, "--as", "nobody@nowhere.example"),
        "Tandem does not know nobody@nowhere.example. Ask an admin to add you to the people "
        "section of Tandem's configuration, with your email and chat identity.",
    )
    _error(
        cli("alert", "snooze", acme, "--as", LEE, "--for", "soon"),
        "Snooze: 'soon' is not a duration; write it like 15m, 2h, 1d or 1h30m.",
    )
    assert cli("alert", "resolve", acme, "--as", LEE).exit_code == 0
    _error(
        cli("alert", "resolve", acme, "--as", LEE), f"{acme} is already resolved; reopen it first."
    )
    _error(
        cli("alert", "escalate", acme, "--as", LEE), f"{acme} is already resolved; reopen it first."
    )
    # Every refusal above that reached an alert is in its history, with its reason.
    history = cli("alert", "history", acme).stdout
    assert history.count("  refused  ") == 5  # conflict, release, stranger, resolve, escalate
    assert "reason=Snooze" not in history  # bad arguments change nothing, not even the log


def test_usage_errors_exit_2_without_a_traceback(cli):
    result = cli("alert", "claim", "ACME-1")  # --as missing
    assert result.exit_code == 2
    assert "Missing option '--as'" in result.output


_AIOSQLITE_RACE = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")


@_AIOSQLITE_RACE
def test_unreachable_database_is_one_line(tmp_path):
    url = f"sqlite:///{tmp_path}/no/such/dir/tandem.db"
    result = _invoke_failing_connect(
        ["alert", "list"], {"TANDEM_DATABASE_URL": url, "TANDEM_CONFIG": str(CONFIG)}
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: database unavailable: OperationalError: ")
    assert result.stderr.count("\n") == 1


# --- audit ---------------------------------------------------------------------------------


def test_audit_verify_then_tamper(cli):
    acme, _ = _two_alerts(cli.url)
    for verb in ("claim", "escalate", "resolve"):
        assert cli("alert", verb, acme, "--as", LEE).exit_code == 0
    intact = cli("audit", "verify")
    assert (intact.exit_code, intact.stdout) == (0, "audit log intact: 5 events verified\n")
    with sqlite3.connect(_file(cli.url)) as raw:
        raw.execute(
            "UPDATE audit_event SET details = '{\"level\": 9}' WHERE tenant_id = 'acme' AND seq = 3"
        )
    _error(
        cli("audit", "verify"),
        "audit log broken: tenant acme: audit event #3 has been "
        "altered: its hash does not match its contents "
        "(3 events checked)",
    )
    other = cli("audit", "verify", "--tenant", "globex")
    assert (other.exit_code, other.stdout) == (0, "audit log intact: 1 events verified\n")


def test_audit_verify_names_a_deleted_event(cli):
    acme, _ = _two_alerts(cli.url)
    for verb in ("claim", "escalate"):
        assert cli("alert", verb, acme, "--as", LEE).exit_code == 0
    with sqlite3.connect(_file(cli.url)) as raw:
        raw.execute("DELETE FROM audit_event WHERE tenant_id = 'acme' AND seq = 2")
    result = cli("audit", "verify", "--tenant", "acme")
    assert result.exit_code == 1
    assert "audit event #3 is out of sequence (expected #2)" in result.stderr


LATER = NOW + timedelta(days=2)  # 2026-11-22 14:02 UTC


def _history_over_two_days(url: str) -> str:
    [acme, _] = _seed(
        url,
        ("alert", "acme", Severity.HIGH),
        ("alert", "globex", Severity.LOW),
        (Verb.CLAIM, 0, DANA, LATER, {}),
        (Verb.COMMENT, 0, DANA, LATER + timedelta(minutes=5), {"text": 'says "hi", then, café'}),
    )
    return acme


def _check_chain(rows: list[dict]) -> None:
    """Each exported row links to the one before and carries the SHA-256 of its canonical
    JSON (sorted keys, no spaces, UTF-8, time as 2026-11-20T14:02:00.000000Z), recomputed
    here from the export alone, as an auditor outside Tandem would."""
    for before, row in zip(rows, rows[1:], strict=False):
        assert row["prev_hash"] == before["hash"]
    for row in rows:
        body = {k: v for k, v in row.items() if k != "hash"}
        at = datetime.fromisoformat(row["at"]).astimezone(UTC)
        body["at"] = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(text.encode()).hexdigest() == row["hash"]


def test_audit_export_jsonl(cli):
    acme = _history_over_two_days(cli.url)
    result = cli("audit", "export", "--tenant", "acme", "--format", "jsonl")
    assert result.exit_code == 0 and result.stderr == ""
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["seq"], r["verb"], r["alert"]) for r in rows] == [
        (1, "created", acme),
        (2, "claim", acme),
        (3, "comment", acme),
    ]
    assert rows[0]["at"] == "2026-11-20T14:02:00+00:00"
    assert rows[1]["actor"] == DANA and rows[1]["actor_side"] == "partner"
    assert rows[2]["details"] == {"text": 'says "hi", then, café'}
    assert rows[0]["prev_hash"] == "0" * 64
    _check_chain(rows)


def test_audit_export_csv(cli):
    _history_over_two_days(cli.url)
    result = cli("audit", "export", "--tenant", "acme", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "tenant_id",
        "seq",
        "at",
        "actor",
        "actor_side",
        "verb",
        "alert",
        "from_status",
        "to_status",
        "details",
        "prev_hash",
        "hash",
    ]
    assert [r["seq"] for r in rows] == ["1", "2", "3"]
    assert json.loads(rows[2]["details"]) == {"text": 'says "hi", then, café'}
    typed = [
        r
        | {
            "seq": int(r["seq"]),
            "details": json.loads(r["details"]),
            **{k: r[k] or None for k in ("actor_side", "from_status", "to_status")},
        }
        for r in rows
    ]
    _check_chain(typed)  # the CSV carries everything needed to re-check the chain


@pytest.mark.parametrize(
    ("since", "seqs"),
    [
        ("2026-11-20", [1, 2, 3]),
        ("2026-11-21", [2, 3]),
        ("2026-11-22T14:03:00+00:00", [3]),
        ("2026-11-22T15:03:00+01:00", [3]),  # the same moment written in another zone
        ("2026-11-23", []),
    ],
)
def test_audit_export_since(cli, since, seqs):
    _history_over_two_days(cli.url)
    result = cli("audit", "export", "--tenant", "acme", "--since", since)
    assert result.exit_code == 0
    assert [json.loads(line)["seq"] for line in result.stdout.splitlines()] == seqs


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--tenant", "initech"), "unknown tenant 'initech'"),
        (("--tenant", "acme", "--format", "xml"), "--format must be jsonl or csv, not 'xml'"),
        (
            ("--tenant", "acme", "--since", "last week"),
            "--since 'last week' is not a date; use YYYY-MM-DD or an ISO time",
        ),
    ],
)
def test_audit_export_errors(cli, args, message):
    _error(cli("audit", "export", *args), message)


def test_export_into_a_closed_pipe_stops_quietly(sqlite_url):
    """`tandem audit export | head` must not report the database as unavailable."""
    if not TANDEM.exists():
        pytest.skip(f"console script not installed at {TANDEM}")

    async def many_events():
        db = connect(sqlite_url)
        try:
            async with db.transaction() as session:
                await sync(session, load(CONFIG))
                for _ in range(200):
                    await audit.append(
                        session,
                        tenant_id="acme",
                        at=NOW,
                        actor="bench",
                        verb="note",
                        details={"pad": "x" * 1000},
                    )
        finally:
            await db.dispose()

    asyncio.run(many_events())
    env = {"TANDEM_DATABASE_URL": sqlite_url, "TANDEM_CONFIG": str(CONFIG), "PATH": "/usr/bin"}
    proc = subprocess.Popen(
        [str(TANDEM), "audit", "export", "--tenant", "acme"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert json.loads(first)["seq"] == 1
    assert stderr == ""
    assert proc.returncode == 1


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


@_AIOSQLITE_RACE
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
