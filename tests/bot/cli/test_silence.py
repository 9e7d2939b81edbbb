"""`tandem silence ...`: --as names a configured responder of the tenant; refusals are one
line on stderr, exit 1, and audited in the actor's own tenant (never another's)."""

import asyncio

from sqlalchemy import select

from storage.db import connect
from storage.models import AuditEvent, Silence
from tests.bot.cli.conftest import _error

ADD = ("silence", "add", "--tenant", "acme", "--match", "service=db", "--reason", "patching")


def _stored(url: str):
    async def main():
        db = connect(url)
        try:
            async with db.read() as session:
                events = (await session.execute(select(AuditEvent).order_by(AuditEvent.id)))
                events = [(e.tenant_id, e.actor, e.verb, e.details) for e in events.scalars()]
                silences = (await session.execute(select(Silence).order_by(Silence.id))).scalars()
                return events, [(s.tenant_id, s.created_by, s.every) for s in silences]
        finally:
            await db.dispose()

    return asyncio.run(main())


def test_add_and_expire_need_a_configured_responder_of_the_tenant(cli):
    nobody = cli(*ADD, "--for", "1h", "--as", "nobody@x.example")
    _error(nobody, "'nobody@x.example' is not a configured person; --as must name someone in "
                   "the people section of Tandem's configuration")
    _error(cli(*ADD, "--for", "1h", "--as", "ivy@acme.example"),
           "Silences need the responder role, which Ivy Stone lacks.")
    _error(cli(*ADD, "--for", "1h", "--as", "gina@globex.example"),
           "Gina Moss is not a member of Acme Ltd.")
    _error(cli("silence", "expire", "--tenant", "acme", "1", "--as", "gina@globex.example"),
           "Gina Moss is not a member of Acme Ltd.")
    events, silences = _stored(cli.url)
    assert silences == []
    # Ivy's refusal is in Acme's chain; the stranger's and Gina's (not Acme's people) are
    # in the deployment's, never in Acme's.
    assert sorted((e[0], e[1], e[2], e[3]["verb"]) for e in events) == [
        ("_deployment", "gina@globex.example", "refused", "silence.add"),
        ("_deployment", "gina@globex.example", "refused", "silence.expire"),
        ("_deployment", "nobody@x.example", "refused", "silence.add"),
        ("acme", "ivy@acme.example", "refused", "silence.add"),
    ]
    assert cli("silence", "add", "--tenant", "acme", "--match", "x=y", "--for", "1h",
               "--reason", "r").exit_code == 2  # --as is required


def test_limits_windows_and_the_list(cli):
    _error(cli(*ADD, "--for", "8d", "--as", "lee@acme.example"),
           "Silences in Acme Ltd last at most 7d; this one would last 8d.")
    _error(cli(*ADD, "--for", "1h", "--as", "dana@partner.example"),
           "A partner's silence that can match critical or high alerts must be added by an "
           "internal person; Dana Reyes is on the partner side.")
    _error(cli(*ADD, "--for", "1h", "--every", "sundays", "--as", "lee@acme.example"),
           "'sundays' is not a weekly window; write DAYS HH:MM-HH:MM, e.g. sun 02:00-04:00 or "
           "mon-fri 22:00-23:00")
    _error(cli(*ADD, "--for", "1h", "--start", "soonish", "--as", "lee@acme.example"),
           "'soonish' is not a time; write now, 18:00, tomorrow 18:00, fri 18:00, "
           "2026-11-21 18:00 or an ISO time")
    made = cli(*ADD, "--for", "2h", "--start", "2030-01-06 02:00", "--every", "Sun 02:00-04:00",
               "--as", "lee@acme.example")
    assert made.exit_code == 0, made.stderr
    assert made.stdout == ("silence 1 every sun 02:00-04:00 from 2030-01-06T02:00+00:00 until "
                           "2030-01-06T04:00+00:00\n")
    listed = cli("silence", "list", "--tenant", "acme")
    assert listed.stdout == ("1  service=db  every sun 02:00-04:00 from 2030-01-06T02:00+00:00 "
                             "until 2030-01-06T04:00+00:00  patching\n")
    done = cli("silence", "expire", "--tenant", "acme", "1", "--as", "sam@acme.example")
    assert done.stdout == "silence 1 expired; 0 alert(s) came back\n"
    assert cli("silence", "list", "--tenant", "acme").stdout == "No active silences.\n"
    events, silences = _stored(cli.url)
    assert silences == [("acme", "lee@acme.example", "sun 02:00-04:00")]
    assert [e[2] for e in events] == ["refused", "refused", "silence.add", "silence.expire"]


def test_list_is_an_operator_read_and_says_so(cli):
    shown = cli("silence", "list", "--help")
    assert "Read-only, an operator command" in shown.stdout and "--as" not in shown.stdout.split(
        "Options")[-1]


def test_a_reason_with_a_newline_stays_on_its_silence_line(cli):
    made = cli("silence", "add", "--tenant", "acme", "--match", "service=db", "--for", "1h",
               "--reason", "patching\n2  service=*  forever\x1b[0m", "--as", "lee@acme.example")
    assert made.exit_code == 0, made.stderr
    listed = cli("silence", "list", "--tenant", "acme").stdout.splitlines()
    assert len(listed) == 1
    assert listed[0].endswith("  patching\\n2  service=*  forever\\x1b[0m")
