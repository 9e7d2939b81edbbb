"""Flagging a significant incident (NIS2) and recording its reports through the command
API, on SQLite and PostgreSQL: the audit events the monthly report reads, the version
fence, and one winner when two people record the same report at once."""

import asyncio
from datetime import UTC, datetime, timedelta

from handlers.commands import Command, Identity, Outcome
from handlers.enums import Nis2Stage, Status, Verb
from handlers.lifecycle import execute
from handlers.people.operator import Operator
from handlers.reads import show_alert
from storage import audit, queries
from tests.conftest import new_alert

T0 = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
SAM, LEE = Identity(email="sam@acme.example"), Identity(email="lee@acme.example")
DANA = Identity(email="dana@partner.example")


def _flag(short: str, who: Identity, reason: str) -> Command:
    return Command(Verb.SIGNIFICANT, short, who, {"note": reason})


def _report(short: str, who: Identity, stage: str, note: str = "") -> Command:
    return Command(Verb.SIGNIFICANT, short, who, {"stage": stage, "note": note})


async def _events(db, short: str) -> list:
    async with db.read() as session:
        return await queries.history(session, "acme", short)


async def test_the_flag_and_each_report_are_audited_as_the_report_reads_them(db, cfg):
    short = await new_alert(db, cfg)
    before = await show_alert(db, cfg, Operator(), short)
    flagged = await execute(db, cfg, _flag(short, DANA, "payroll data copied out"), T0)
    assert flagged.outcome is Outcome.DONE, flagged.message
    assert flagged.message == (f"Dana Reyes (partner) flagged {short} as a significant incident "
                               "(NIS2); early warning due 2026-11-21 15:00 GMT.")
    view = flagged.view
    # The card changed (version), its buttons' fence did not (state_version).
    assert (view.version, view.state_version) == (before.version + 1, before.state_version)
    assert view.status is Status.OPEN and view.significant.flagged_at == T0
    steps = [("early-warning", T0 + timedelta(hours=20), "CSIRT ref 2026-114"),
             ("notification", T0 + timedelta(hours=60), ""),
             ("final-report", T0 + timedelta(days=20), "root cause: stolen token")]
    for stage, at, note in steps:
        done = await execute(db, cfg, _report(short, SAM, stage, note), at)
        assert done.outcome is Outcome.DONE, done.message
    assert done.message == (f"Sam Okafor (internal) recorded the NIS2 final report for {short}; "
                            "all NIS2 reports recorded.")
    significant = [e for e in await _events(db, short) if e.verb == "significant"]
    assert [(e.actor, e.actor_side, e.alert, e.at, e.details) for e in significant] == [
        ("dana@partner.example", "partner", short, T0,
         {"stage": "flagged", "note": "payroll data copied out"}),
        *[("sam@acme.example", "internal", short, at, {"stage": stage.replace("-", "_"),
                                                        "note": note})
          for stage, at, note in steps]]
    assert all((e.from_status, e.to_status) == ("open", "open") for e in significant)
    now = await show_alert(db, cfg, Operator(), short)
    assert [stage for stage, _ in now.significant.recorded] == [
        Nis2Stage.EARLY_WARNING, Nis2Stage.NOTIFICATION, Nis2Stage.FINAL_REPORT]
    assert now.significant.next_stage is None
    # Each report moved the card (its next deadline), never the buttons' fence.
    assert (now.version, now.state_version) == (before.version + 4, before.state_version)
    assert (await audit.verify(db)).ok


async def test_refusals_name_why_and_go_to_the_audit_log(db, cfg):
    short = await new_alert(db, cfg)
    cases = [
        (_report(short, SAM, "early-warning"), Outcome.ILLEGAL,
         f"{short} is not flagged as significant; flag it first (significant {short} REASON)."),
        (_flag(short, LEE, "  "), Outcome.INVALID,
         f"Flagging {short} as significant needs a reason: why it is a significant incident "
         "under NIS2."),
        (_flag(short, Identity(email="gina@globex.example"), "x"), Outcome.NOT_FOUND,
         f"{short} is not available to you."),
        (_flag(short, Identity(email="ivy@acme.example"), "x"), Outcome.REFUSED,
         "Significant needs the responder role, which Ivy Stone lacks."),
        (_flag(short, LEE, "customer records exposed"), Outcome.DONE, None),
        (_flag(short, DANA, "again"), Outcome.ILLEGAL,
         f"{short} was already flagged as significant at 2026-11-20 17:00 GMT."),
        (_report(short, DANA, "early-warning"), Outcome.REFUSED,
         "Only internal staff record NIS2 reports: Acme Ltd, not its partner, reports "
         "incidents to the authority, and Dana Reyes is on the partner side."),
        (_report(short, SAM, "interim"), Outcome.INVALID,
         "There is no NIS2 report called 'interim'; name one of: early-warning, "
         "notification, final-report."),
        (_report(short, SAM, "early-warning", "sent"), Outcome.DONE, None),
        (_report(short, LEE, "early-warning"), Outcome.ILLEGAL,
         f"The NIS2 early warning for {short} was already recorded at 2026-11-20 19:00 GMT."),
    ]
    for at, (cmd, outcome, message) in enumerate(cases):
        result = await execute(db, cfg, cmd, T0 + timedelta(minutes=30 * at))
        assert result.outcome is outcome, result.message
        if message is not None:
            assert result.message == message
    events = await _events(db, short)
    refused = [(e.actor, e.details["verb"], e.details["reason"]) for e in events
               if e.verb == "refused"]
    assert [reason for _, _, reason in refused] == [
        m for _, o, m in cases if o is not Outcome.DONE and o is not Outcome.NOT_FOUND]
    assert {verb for _, verb, _ in refused} == {"significant"}
    assert [e.details["stage"] for e in events if e.verb == "significant"] == [
        "flagged", "early_warning"]


async def test_a_resolved_alert_is_flagged_late_and_keeps_its_status(db, cfg):
    short = await new_alert(db, cfg)
    for verb, args in ((Verb.CLAIM, {}), (Verb.RESOLVE, {"note": "disk freed"})):
        assert (await execute(db, cfg, Command(verb, short, LEE, args), T0)).ok
    later = T0 + timedelta(days=3)
    done = await execute(db, cfg, _flag(short, LEE, "the disk held exported payroll"), later)
    assert done.outcome is Outcome.DONE and done.view.status is Status.RESOLVED
    assert done.view.significant.next_due == later + timedelta(hours=24)


async def test_two_people_recording_one_report_at_once_record_it_once(replicas, cfg):
    db = replicas[0]
    short = await new_alert(db, cfg)
    assert (await execute(db, cfg, _flag(short, LEE, "exfiltration"), T0)).ok
    recorders = [execute(replica, cfg, _report(short, who, "notification"), T0)
                 for replica in replicas for who in (SAM, LEE)]
    results = await asyncio.gather(*recorders)
    assert sorted(r.outcome for r in results) == sorted(
        [Outcome.DONE] + [Outcome.ILLEGAL] * (len(results) - 1))
    events = await _events(db, short)
    assert [e.details["stage"] for e in events if e.verb == "significant"] == [
        "flagged", "notification"]
    assert (await audit.verify(db)).ok
