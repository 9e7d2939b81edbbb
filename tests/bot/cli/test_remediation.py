"""`tandem remediation status|retry|done` and `tandem alert resolve --classification`,
against a SQLite file whose fix the real executor worker has run (and failed: this
server carries out no Graph fixes, as no executor is registered)."""

import asyncio
from datetime import UTC, datetime, timedelta

from bot.config import load
from bot.remediation.worker import Worker
from handlers.commands import Command, Identity, Outcome
from handlers.config.sync import sync
from handlers.enums import Severity, Verb
from handlers.intake import AlertIn, ingest
from handlers.lifecycle.dispatch import execute
from storage import queries
from storage.db import connect
from tests.bot.cli.conftest import CONFIG, LEE, _error
from tests.conftest import new_alert
from tests.fixed import Fixed

AT = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
RAJ, SAM = "raj@partner.example", "sam@acme.example"
FAILED = "Fix failed: this server carries out no graph.revoke_sessions fixes"


class NoExecutors:
    def for_kind(self, kind: str):
        raise KeyError(kind)


def _with_db(url: str, work):
    async def main():
        cfg = load(CONFIG)
        db = connect(url)
        try:
            async with db.unit() as uow:
                await sync(uow, cfg)
            return await work(db, cfg)
        finally:
            await db.dispose()

    return asyncio.run(main())


def _failed_fix(url: str) -> str:
    """Raj's fix for jo@acme.example, approved by Sam, carried out and failed."""
    async def work(db, cfg):
        short = await new_alert(db, cfg, user="jo@acme.example")
        for verb, who, args in ((Verb.CLAIM, RAJ, {}),
                                (Verb.PROPOSE, RAJ, {"remediation": "revoke-sessions"}),
                                (Verb.APPROVE, SAM, {"reason": "confirmed"})):
            done = await execute(db, cfg, Command(verb, short, Identity(email=who), args), AT)
            assert done.outcome is Outcome.DONE, done.message
        worker = Worker(db, Fixed(cfg), NoExecutors(), "cli-test",
                        clock=lambda: AT + timedelta(minutes=1))
        await worker.drain()
        return short

    return _with_db(url, work)


def _graph_alert(url: str) -> str:
    async def work(db, cfg):
        event = AlertIn(source="graph", title="Risky sign-in", severity=Severity.HIGH,
                        dedup_key="da6375512345", labels={"user": "jo@acme.example"})
        async with db.unit() as unit:
            return (await ingest(unit, cfg, cfg.tenant("acme"), event, AT)).alert

    return _with_db(url, work)


def _resolved_details(url: str, short: str) -> dict:
    async def work(db, _cfg):
        async with db.unit() as uow:
            events = await queries.history(await uow.session(), "acme", short)
        return [e.details for e in events if e.verb == "resolve"][-1]

    return _with_db(url, work)


def test_status_shows_the_fix_and_its_latest_execution(cli):
    short = _failed_fix(cli.url)
    result = cli("remediation", "status", short)  # as the operator
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1] == ("Fix proposed: Revoke all sign-in sessions of jo@acme.example — by Raj "
                        "Patel (partner)")
    for line in ("  Approved by Sam Okafor (internal): confirmed", f"  {FAILED}",
                 "  Catalogue entry: revoke-sessions (failed)", "  Target: user=jo@acme.example",
                 "Execution 1 (graph.revoke_sessions): failed, 1 attempt",
                 "  Detail: this server carries out no graph.revoke_sessions fixes",
                 "  Started: 2026-11-20 14:31 GMT", "  Finished: 2026-11-20 14:31 GMT"):
        assert line in lines, line
    assert cli("remediation", "status", short, "--as", LEE).stdout == result.stdout


def test_status_refusals(cli):
    short = _failed_fix(cli.url)
    _error(cli("remediation", "status", short, "--as", "gina@globex.example"),
           f"{short} is not available to you.")
    plain = _with_db(cli.url, lambda db, cfg: new_alert(db, cfg))
    _error(cli("remediation", "status", plain), f"{plain} shows no fix: it is open.")


def test_retry_by_an_approver_queues_it_again(cli):
    short = _failed_fix(cli.url)
    _error(cli("remediation", "retry", short, "--as", RAJ),
           f"You proposed this fix for {short}; someone else must retry it.")
    done = cli("remediation", "retry", short, "--as", SAM, "--reason", "permission granted")
    assert (done.exit_code, done.stdout) == (
        0, f"Sam Okafor (internal) retried the fix for {short}.\n")
    lines = cli("remediation", "status", short).stdout.splitlines()
    assert "  Fix queued" in lines and "Execution 2 (graph.revoke_sessions): queued, 0 attempts" \
        in lines
    _error(cli("remediation", "retry", short, "--as", SAM),
           f"The fix for {short} has not failed (approved); only a failed fix is retried.")


def test_done_by_hand_with_a_note(cli):
    short = _failed_fix(cli.url)
    missing = cli("remediation", "done", short, "--as", LEE)
    assert missing.exit_code == 2 and "--note" in missing.output
    _error(cli("remediation", "done", short, "--as", LEE, "--note", "  "),
           "Marking a fix done by hand needs a note saying what was done.")
    done = cli("remediation", "done", short, "--as", LEE, "--note", "revoked in Entra")
    assert done.exit_code == 0, done.output
    assert "  Fix done by hand" in cli("remediation", "status", short).stdout.splitlines()


def test_resolve_classifies_an_alert_from_graph(cli):
    short = _graph_alert(cli.url)
    assert cli("alert", "claim", short, "--as", LEE).exit_code == 0
    wrong = cli("alert", "resolve", short, "--as", LEE, "--classification", "bogus")
    assert wrong.exit_code == 2 and "truePositive" in wrong.output
    done = cli("alert", "resolve", short, "--as", LEE, "--classification", "truePositive")
    assert done.exit_code == 0, done.output
    assert _resolved_details(cli.url, short) == {
        "note": "", "classification": "truePositive", "closed_at_source": True}
