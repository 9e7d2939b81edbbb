"""Internal IT stays in the lead: a fix waiting for approval is decided or withdrawn
before the alert is resolved, and snoozes are capped per severity and per side. On
SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from handlers.commands import Outcome
from handlers.enums import Severity, Status, Verb
from handlers.intake.ingest import ingest
from handlers.intake.types import AlertIn, EventAction
from storage import audit
from storage.models import AuditEvent, Remediation
from tests.conftest import NOW, new_alert
from tests.handlers.lifecycle.test_actions import DANA, RAJ, SAM, act


def _now() -> datetime:
    return datetime.now(UTC)


async def _pending(db, cfg, key: str = "disk-db-1") -> str:
    alert = await new_alert(db, cfg, key=key)
    await act(db, cfg, Verb.CLAIM, alert, DANA)
    proposed = await act(db, cfg, Verb.PROPOSE, alert, DANA, remediation="restart-service")
    assert proposed.view.status is Status.REMEDIATION_PENDING
    return alert


async def _remediation(db) -> Remediation:
    async with db.read() as session:
        return (await session.execute(select(Remediation))).scalar_one()


async def test_resolve_waits_until_the_fix_is_decided_or_withdrawn(db, cfg):
    alert = await _pending(db, cfg)
    around = await act(db, cfg, Verb.RESOLVE, alert, DANA, note="fixed it myself")
    assert (around.outcome, around.message) == (Outcome.ILLEGAL, (
        f"{alert} has a fix waiting for approval; approve, reject or withdraw it before "
        "resolving."))
    assert around.view.status is Status.REMEDIATION_PENDING
    not_theirs = await act(db, cfg, Verb.WITHDRAW, alert, RAJ)
    assert not_theirs.message == (
        f"Only whoever proposed the fix for {alert}, or an admin, can withdraw it.")
    withdrawn = await act(db, cfg, Verb.WITHDRAW, alert, DANA, reason="fixed it myself")
    assert withdrawn.outcome is Outcome.DONE
    assert withdrawn.message == f"Dana Reyes (partner) withdrew the fix for {alert}."
    assert (withdrawn.view.status, withdrawn.view.owner.email) == (
        Status.CLAIMED, "dana@partner.example")
    row = await _remediation(db)
    assert (row.status, row.decided_by, row.decision_reason) == (
        "withdrawn", "dana@partner.example", "fixed it myself")
    assert (await act(db, cfg, Verb.RESOLVE, alert, DANA)).outcome is Outcome.DONE
    assert (await audit.verify(db)).ok


async def test_an_admin_may_withdraw_anyones_fix(db, cfg):
    alert = await _pending(db, cfg)
    assert (await act(db, cfg, Verb.WITHDRAW, alert, SAM)).outcome is Outcome.DONE


async def test_a_source_resolve_withdraws_the_waiting_fix_on_the_record(db, cfg):
    alert = await _pending(db, cfg)
    event = AlertIn(source="test", title="Disk full on db-1", severity=Severity.HIGH,
                    action=EventAction.RESOLVE, dedup_key="disk-db-1")
    async with db.unit() as unit:
        await ingest(unit, cfg, cfg.tenant("acme"), event, NOW + timedelta(minutes=5))
    row = await _remediation(db)
    assert (row.status, row.decision_reason) == ("withdrawn", "the source resolved the alert")
    async with db.read() as session:
        resolved = (await session.execute(select(AuditEvent).where(
            AuditEvent.alert == alert, AuditEvent.to_status == Status.RESOLVED))).scalar_one()
    assert resolved.details == {"withdrawn": "restart-service"}
    assert resolved.from_status == Status.REMEDIATION_PENDING


async def test_snoozes_are_capped_by_severity_and_a_partners_by_the_approval_rule(db, cfg):
    critical = await new_alert(db, cfg, severity=Severity.CRITICAL)
    too_long = await act(db, cfg, Verb.SNOOZE, critical, SAM, duration="5h")
    assert (too_long.outcome, too_long.message) == (
        Outcome.INVALID, "A critical alert may be snoozed for at most 4h.")
    high = await new_alert(db, cfg)
    partner = await act(db, cfg, Verb.SNOOZE, high, DANA, duration="2h")
    assert partner.message == ("A partner may snooze a high alert for at most 1h; an internal "
                               "person must snooze it for longer.")
    assert (await act(db, cfg, Verb.SNOOZE, high, DANA, duration="1h")).outcome is Outcome.DONE
    medium = await new_alert(db, cfg, severity=Severity.MEDIUM)
    assert (await act(db, cfg, Verb.SNOOZE, medium, DANA, duration="2h")).ok
    internal = await new_alert(db, cfg)
    assert (await act(db, cfg, Verb.SNOOZE, internal, SAM, duration="2h")).ok
    async with db.read() as session:
        refused = (await session.execute(select(AuditEvent.tenant_id, AuditEvent.details).where(
            AuditEvent.verb == "refused"))).all()
    assert [(t, d["verb"]) for t, d in refused] == [("acme", "snooze"), ("acme", "snooze")]


async def test_snooze_limits_come_from_the_tenant(db, cfg):
    acme = cfg.tenant("acme").model_copy(update={"snooze": cfg.tenant("acme").snooze.model_copy(
        update={"partner": "3h"})})
    lenient = cfg.model_copy(update={"tenants": [acme, *cfg.tenants[1:]]})
    high = await new_alert(db, lenient)
    assert (await act(db, lenient, Verb.SNOOZE, high, DANA, duration="2h")).ok


async def test_reopen_next_to_a_newer_live_alert_says_which_and_is_audited(db, cfg):
    """The unique live-fingerprint index used to turn this into five retries and "busy"."""
    old = await new_alert(db, cfg, key="disk-db-9")
    await act(db, cfg, Verb.RESOLVE, old, SAM)
    later = AlertIn(source="test", title="Disk full on db-1", severity=Severity.HIGH,
                    dedup_key="disk-db-9")
    async with db.unit() as unit:  # past the flap window: a new alert, not a reopen
        new = (await ingest(unit, cfg, cfg.tenant("acme"), later, _now() + timedelta(days=1))).alert
    assert new != old
    refused = await act(db, cfg, Verb.REOPEN, old, SAM)
    assert (refused.outcome, refused.message) == (
        Outcome.INVALID, f"{old} can't be reopened: {new} is open for the same source alert.")
    async with db.read() as session:
        [event] = (await session.execute(select(AuditEvent).where(
            AuditEvent.alert == old, AuditEvent.verb == "refused"))).scalars()
    assert (event.tenant_id, event.details["verb"]) == ("acme", "reopen")
