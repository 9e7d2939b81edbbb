"""`tandem alert ...`: reading and acting on alerts, and errors as one clear line."""

import pytest

from handlers.enums import Severity
from tests.bot.cli.conftest import (
    AIOSQLITE_RACE,
    CONFIG,
    DANA,
    GINA,
    LEE,
    _error,
    _invoke_failing_connect,
    _seed,
    _two_alerts,
)

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
        (("--as", LEE, "--tenant", "globex"), "Tenant 'globex' is not available to you."),
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


def test_a_title_neither_moves_the_terminal_nor_adds_a_line(cli):
    """An escape sequence, a bell, a carriage return and a newline in a source's title:
    `list` keeps one line per alert, and nothing the CLI writes is a control character
    the terminal would act on."""
    title = "Disk \x1b[2J\x1b[31mfull\x07\r\nACME-9 · forged [critical] — Resolved"
    (acme,) = _seed(cli.url, ("alert", "acme", Severity.HIGH, title))
    escaped = "Disk \\x1b[2J\\x1b[31mfull\\x07\\r\\nACME-9 · forged [critical] — Resolved"
    listed = cli("alert", "list")
    assert listed.stdout.splitlines() == [f"🟠 {acme} · {escaped} [high] — Open, Unclaimed"]
    shown = cli("alert", "show", acme)
    assert shown.stdout.splitlines()[0] == listed.stdout.splitlines()[0]
    claimed = cli("alert", "claim", acme, "--as", LEE)
    history = cli("alert", "history", acme)
    for out in (listed.stdout, shown.stdout, claimed.stdout, history.stdout):
        assert not set(out) & {"\x1b", "\x07", "\r"}, out


@pytest.mark.parametrize("command", ["show", "history"])
def test_reading_errors(cli, command):
    acme, globex = _two_alerts(cli.url)
    _error(cli("alert", command, "ACME-99"), "ACME-99 is not available to you.")
    _error(cli("alert", command, "ACME-99", "--as", LEE), "ACME-99 is not available to you.")
    _error(cli("alert", command, acme, "--as", GINA), f"{acme} is not available to you.")
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
    _error(cli("alert", "claim", acme, "--as", DANA),
           f"{acme} is already claimed by Lee Chen (internal).")
    _error(
        cli("alert", "release", acme, "--as", DANA),
        f"Only Lee Chen, who owns {acme}, or an admin can release it.",
    )
    _error(cli("alert", "claim", "ACME-404", "--as", LEE), "ACME-404 is not available to you.")
    _error(cli("alert", "claim", globex, "--as", LEE), f"{globex} is not available to you.")
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
    # Every refusal of a member of the alert's tenant is in its history, with its reason;
    # bad arguments change nothing but are refused on the record too. The stranger's
    # attempt is in the deployment's chain, not in Acme's.
    history = cli("alert", "history", acme).stdout
    assert history.count("  refused  ") == 5  # conflict, release, snooze, resolve, escalate
    assert "reason=Snooze: 'soon'" in history and "nobody@nowhere.example" not in history
    deployment = cli("audit", "export", "--tenant", "_deployment").stdout
    assert "nobody@nowhere.example" in deployment and globex in deployment


def test_usage_errors_exit_2_without_a_traceback(cli):
    result = cli("alert", "claim", "ACME-1")  # --as missing
    assert result.exit_code == 2
    assert "Missing option '--as'" in result.output


@AIOSQLITE_RACE
def test_unreachable_database_is_one_line(tmp_path):
    url = f"sqlite:///{tmp_path}/no/such/dir/tandem.db"
    result = _invoke_failing_connect(
        ["alert", "list"], {"TANDEM_DATABASE_URL": url, "TANDEM_CONFIG": str(CONFIG)}
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: database unavailable: OperationalError: ")
    assert result.stderr.count("\n") == 1
