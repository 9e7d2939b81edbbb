"""November 2026 at Acme with known answers, for the report's JSON, HTML and PDF tests.

Alerts come in through intake and people act through the command API, each at a chosen
time, so the audit log holds exactly what production would write; only the outcome of
one executed fix and the NIS2 "significant" events are written directly. Acme's time
zone is Europe/London, which is GMT (= UTC) all November.

Response times (seconds), credited to the side holding the alert at the moment:

    alert  first claim            resolution (holder at that moment)
    ACME-1 600 partner (Dana)     3600 internal (reassigned to Lee, who resolved it)
    ACME-2 300 internal (Sam)     7200 partner (handed to the partner side, Dana)
    ACME-3 1200 internal (Lee)    14400 partner (escalated to the partner side, Raj)
    ACME-4 180 partner (Raj)      3600 partner (Raj)
    ACME-5 2400 internal (Lee)    5400 internal (Lee)
    ACME-6 (first seen in October; claimed then by Dana) 10800 partner (Dana)

MTTA: internal 300, 1200, 2400; partner 180, 600. MTTR: internal 3600, 5400; partner
3600, 7200, 10800, 14400. The EXPECTED_* values below are those numbers' medians and
nearest-rank 90th percentiles.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from handlers import escalation
from handlers.commands import Command, Identity
from handlers.enums import Severity, Verb
from handlers.evidence.build import build
from handlers.evidence.view import ReportView
from handlers.intake.ingest import ingest
from handlers.intake.types import AlertIn
from handlers.lifecycle.dispatch import execute
from handlers.oncall import overrides
from handlers.people.resolve import resolve
from handlers.silences import changes
from storage import evidence
from storage.execution_models import Execution
from storage.models import Remediation
from tests.conftest import _synced as synced

MONTH = "2026-11"
NOW = datetime(2026, 12, 5, tzinfo=UTC)  # the report is made after the month
SAM, LEE = "sam@acme.example", "lee@acme.example"  # internal
DANA, RAJ = "dana@partner.example", "raj@partner.example"  # partner

EXPECTED_MTTA = {"all": (5, 600.0, 2400.0), "internal": (3, 1200.0, 2400.0),
                 "partner": (2, 390.0, 600.0)}
EXPECTED_MTTR = {"all": (6, 6300.0, 14400.0), "internal": (2, 4500.0, 5400.0),
                 "partner": (4, 9000.0, 14400.0)}
# severity: (alerts, breached)
EXPECTED_SLA = {"critical": (2, 1), "high": (2, 0), "medium": (2, 1), "low": (0, 0)}
# person: hours on call (rotations, Sam's tenant-wide cover, Lee covering the partner layer)
EXPECTED_ON_CALL = {"Sam Okafor": 113.0, "Lee Chen": 121.0, "Dana Reyes": 348.0,
                    "Raj Patel": 348.0}


def t(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


async def fire(db, cfg, at: datetime, severity: Severity, source: str = "prometheus",
               tenant: str = "acme", **labels: str) -> str:
    event = AlertIn(source=source, title=f"{severity.value} trouble from {source}",
                    severity=severity, dedup_key=uuid.uuid4().hex, labels=labels)
    async with db.unit() as unit:
        return (await ingest(unit, cfg, cfg.tenant(tenant), event, at)).alert


async def act(db, cfg, verb: Verb, alert: str, who: str, at: datetime, **args: str) -> None:
    done = await execute(db, cfg, Command(verb, alert, Identity(email=who), args), at)
    assert done.ok, done.message


async def flag(db, alert: str, stage: str, at: datetime, who: str = SAM,
               note: str = "") -> None:
    """A NIS2 step, as the `significant` command records it."""
    async with db.unit() as uow:
        uow.audit("acme", [{"at": at, "actor": who, "actor_side": "internal",
                            "verb": "significant", "alert": alert,
                            "details": {"stage": stage, "note": note}}])


async def executed(db, alert: str, at: datetime) -> None:
    """The executor worker carried out the alert's approved fix at `at`."""
    async with db.unit() as uow:
        session = await uow.session()
        run = (await session.execute(
            Execution.__table__.select().order_by(Execution.id.desc()).limit(1))).first()
        row = await session.get(Execution, run.id)
        row.status, row.finished_at = "succeeded", at
        fix = await session.get(Remediation, row.remediation_id)
        fix.status = "executed"
        uow.audit("acme", [_event(alert, at, "execution.succeeded",
                                  {"execution": row.id, "kind": row.kind, "target": row.target})])


def _event(alert: str, at: datetime, verb: str, details: dict[str, Any]) -> dict[str, Any]:
    return {"at": at, "actor": "tandem", "verb": verb, "alert": alert, "details": details}


async def _handovers(db, cfg) -> None:
    a1 = await fire(db, cfg, t(2, 10), Severity.HIGH)
    await act(db, cfg, Verb.CLAIM, a1, DANA, t(2, 10, 10))
    await act(db, cfg, Verb.REASSIGN, a1, DANA, t(2, 10, 30), to=LEE)
    await act(db, cfg, Verb.RESOLVE, a1, LEE, t(2, 11))
    a2 = await fire(db, cfg, t(3, 9), Severity.HIGH, source="azure")
    await act(db, cfg, Verb.CLAIM, a2, SAM, t(3, 9, 5))
    await act(db, cfg, Verb.REASSIGN, a2, SAM, t(3, 9, 20), to="partner")
    await act(db, cfg, Verb.CLAIM, a2, DANA, t(3, 9, 30))
    await act(db, cfg, Verb.RESOLVE, a2, DANA, t(3, 11))
    a3 = await fire(db, cfg, t(4, 8), Severity.MEDIUM)
    await act(db, cfg, Verb.CLAIM, a3, LEE, t(4, 8, 20))
    await act(db, cfg, Verb.ESCALATE, a3, LEE, t(4, 8, 40), mode="other_side")
    await act(db, cfg, Verb.RESOLVE, a3, RAJ, t(4, 12))


async def _incidents(db, cfg) -> None:
    a4 = await fire(db, cfg, t(5, 14), Severity.CRITICAL, source="defender")
    await act(db, cfg, Verb.CLAIM, a4, RAJ, t(5, 14, 3))
    await act(db, cfg, Verb.PROPOSE, a4, RAJ, t(5, 14, 5), remediation="block-ip")
    await act(db, cfg, Verb.APPROVE, a4, SAM, t(5, 14, 10), reason="the address is hostile")
    await flag(db, a4, "flagged", t(5, 14, 20), note="customer data may be exposed")
    await act(db, cfg, Verb.DONE, a4, RAJ, t(5, 14, 30), note="blocked 203.0.113.9")
    await act(db, cfg, Verb.RESOLVE, a4, RAJ, t(5, 15))
    await flag(db, a4, "early_warning", t(6, 10))
    await flag(db, a4, "notification", t(9, 12))
    a5 = await fire(db, cfg, t(10, 9), Severity.CRITICAL, source="defender",
                    user="jo@acme.example")
    for minute in (5, 15, 30):  # on call (Sam), the channel, Raj
        await escalation.tick(db, cfg, t(10, 9, minute))
    await act(db, cfg, Verb.CLAIM, a5, LEE, t(10, 9, 40))
    await act(db, cfg, Verb.PROPOSE, a5, LEE, t(10, 9, 45), remediation="revoke-sessions")
    await act(db, cfg, Verb.APPROVE, a5, SAM, t(10, 9, 50), reason="sessions stolen")
    await executed(db, a5, t(10, 9, 55))
    await act(db, cfg, Verb.RESOLVE, a5, LEE, t(10, 10, 30))


async def _quiet(db, cfg) -> None:
    sam = resolve(cfg, Identity(email=SAM))
    wanted = changes.Wanted(cfg.tenant("acme"), {"source": "noisy"}, t(15, 0), t(16, 0),
                            "maintenance")
    async with db.unit() as uow:
        assert not isinstance(await changes.add(uow, cfg, sam, wanted, t(14, 23)), str)
    await fire(db, cfg, t(15, 10), Severity.LOW, source="noisy")  # silenced
    a8 = await fire(db, cfg, t(20, 10), Severity.MEDIUM)  # never answered
    await act(db, cfg, Verb.SNOOZE, a8, SAM, t(20, 10, 5), duration="2h")


async def _covers(db, cfg) -> None:
    acme = cfg.tenant("acme")
    async with db.unit() as uow:
        await overrides.add(uow, cfg, acme, SAM, t(14, 0), t(14, 12), actor=SAM, now=t(1, 9))
        await overrides.add(uow, cfg, acme, LEE, t(20, 18), t(21, 6), actor=SAM, now=t(1, 9),
                            layer="partner")


async def seed(db, cfg) -> None:
    """The month; ACME-6 was first seen in October and resolved in November."""
    await _covers(db, cfg)
    await _handovers(db, cfg)
    await _incidents(db, cfg)
    a6 = await fire(db, cfg, t(31, 22, month=10), Severity.HIGH)
    await act(db, cfg, Verb.CLAIM, a6, DANA, t(31, 22, 10, month=10))
    await _quiet(db, cfg)
    await act(db, cfg, Verb.RESOLVE, a6, DANA, t(1, 1))



async def report_of(url: str, cfg) -> ReportView:
    """Seed the month into the migrated, empty database at `url` and build its report."""
    db = await synced(url, cfg)
    try:
        await seed(db, cfg)
        async with evidence.reading(db) as session:
            return await build(session, cfg, "acme", MONTH, NOW)
    finally:
        await db.dispose()
