"""ingest(): one source event into the alert table, deduplicated, routed and silenced.

Runs inside the caller's transaction, so the alert, its audit event and its outbox
rows commit together, before the HTTP 2xx goes out.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from handlers.config.schema import TandemConfig
from handlers.config.schema import Tenant as TenantConfig
from handlers.enums import Status
from handlers.escalation import timers
from handlers.fanout import channels_of, enqueue_card, record
from handlers.intake.batch import Batch
from handlers.intake.types import AlertIn, EventAction
from storage import queries
from storage.live_alerts import LiveAlert
from storage.models import Alert
from storage.unit import Session, UnitOfWork


class Effect(StrEnum):
    CREATED = "created"
    DEDUPLICATED = "deduplicated"
    REOPENED = "reopened"
    RESOLVED = "resolved"
    ACKNOWLEDGED = "acknowledged"
    RETRIGGERED = "retriggered"  # a trigger after the source's acknowledge
    IGNORED = "ignored"


@dataclass(frozen=True)
class Ingested:
    effect: Effect
    alert: str | None
    dedup_key: str


def fingerprint(tenant_id: str, event: AlertIn) -> str:
    """The source's own key, or a stable hash of tenant, source and labels (or title)."""
    if event.dedup_key:
        return event.dedup_key
    basis = {
        "tenant": tenant_id,
        "source": event.source,
        "labels": event.labels or {"title": event.title},
    }
    digest = hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()
    return f"{event.source}:{digest[:40]}"


async def _transition(
    uow: UnitOfWork,
    session: Session,
    cfg: TandemConfig,
    alert: Alert,
    event: AlertIn,
    to: Status,
    verb: str,
    now: datetime,
) -> None:
    before = alert.status
    alert.status = to
    details = None
    if to == Status.RESOLVED:
        alert.resolved_at, alert.next_escalation_at = now, None
        if before == Status.REMEDIATION_PENDING:
            details = await _withdraw_pending(session, alert, now)
    else:
        alert.resolved_at, alert.owner_email, alert.count = None, None, alert.count + 1
        alert.last_seen = now
        timers.restart(cfg, alert, now)
    await session.flush()
    if to == Status.SILENCED:
        details = {"silence": alert.silenced_by}
    record(
        uow,
        alert,
        at=now,
        actor=f"source:{event.source}",
        verb=verb,
        from_status=before,
        to_status=to,
        details=details,
    )
    if to != Status.SILENCED:  # a silenced alert is not posted
        enqueue_card(uow, cfg, alert, now, note=f"{event.source} {verb} it")


async def _withdraw_pending(session: Session, alert: Alert, now: datetime) -> dict[str, Any]:
    """The source resolved an alert whose fix awaited approval: the fix is withdrawn
    (never carried out), and the resolve's audit event says so."""
    row = await queries.awaited_remediation(session, alert.id)
    row.status, row.decided_at = "withdrawn", now
    row.decision_reason = "the source resolved the alert"
    return {"withdrawn": row.action_id}


async def _one(batch: Batch, event: AlertIn, key: str) -> Ingested | Alert:
    """One event of a group: an Ingested, or the new Alert whose id comes at flush."""
    live = batch.live.get(key)
    if event.action is not EventAction.TRIGGER:
        if live is None:
            return Ingested(Effect.IGNORED, None, key)
        return await _acknowledge_or_resolve(batch, live, event, key)
    if live is not None:
        if live.source_acknowledged_at is not None:
            return await _retrigger(batch, live, event, key)
        batch.repeat(live)
        return live if live.id is None else Ingested(Effect.DEDUPLICATED, live.short_id, key)
    recent = batch.recent.pop(key, None)
    if recent is None:
        return batch.create(key, event)
    return await _reopen(batch, recent, event, key)


async def _acknowledge_or_resolve(batch: Batch, live: Alert | LiveAlert, event: AlertIn,
                                  key: str) -> Ingested:
    await batch.flush()
    if event.action is EventAction.ACKNOWLEDGE:
        if live.source_acknowledged_at is None:  # a repeated acknowledge changes nothing
            batch.live[key] = await _acknowledge(batch, live, event)
        return Ingested(Effect.ACKNOWLEDGED, live.short_id, key)
    session = await batch.unit.session()
    alert = await batch.current(live)
    await _transition(batch.unit, session, batch.cfg, alert, event, Status.RESOLVED, "resolved",
                      batch.now)
    del batch.live[key]
    return Ingested(Effect.RESOLVED, live.short_id, key)


async def _acknowledge(batch: Batch, live: Alert | LiveAlert, event: AlertIn) -> Alert:
    """The source acknowledged the alert (PagerDuty's meaning): escalation pauses until
    it triggers the alert again. Tandem's status and owner stay as they are."""
    alert = await batch.current(live)
    alert.source_acknowledged_at, alert.next_escalation_at = batch.now, None
    alert.escalation_generation += 1
    await _noted(batch, alert, event, "acknowledged")
    return alert


async def _retrigger(batch: Batch, live: Alert | LiveAlert, event: AlertIn,
                     key: str) -> Ingested:
    """A trigger of an alert its source had acknowledged: counted like a repeat, and
    its escalation resumes from the level it had reached, its timer started afresh."""
    await batch.flush()
    alert = await batch.current(live)
    acknowledged = alert.source_acknowledged_at
    if acknowledged is None:  # _one retriggers only an alert its source acknowledged
        raise RuntimeError(f"{alert.short_id} is retriggered but was not acknowledged")
    details = {"acknowledged_at": acknowledged.isoformat()}
    alert.source_acknowledged_at, alert.count = None, alert.count + 1
    alert.last_seen = max(alert.last_seen, batch.now)
    timers.arm(batch.cfg, alert, batch.now)
    await _noted(batch, alert, event, "retriggered", details)
    batch.live[key] = alert
    return Ingested(Effect.RETRIGGERED, alert.short_id, key)


async def _noted(batch: Batch, alert: Alert, event: AlertIn, verb: str,
                 details: dict[str, Any] | None = None) -> None:
    """Write the change, audit it as the source's, and refresh the alert's cards."""
    session = await batch.unit.session()
    await session.flush()
    record(batch.unit, alert, at=batch.now, actor=f"source:{event.source}", verb=verb,
           from_status=alert.status, to_status=alert.status, details=details)
    if alert.status != Status.SILENCED:  # a silenced alert is not posted
        enqueue_card(batch.unit, batch.cfg, alert, batch.now, note=f"{event.source} {verb} it")
        batch.carded.update((alert.id, c.platform, c.channel)
                            for c in channels_of(batch.tenant, alert))


async def _reopen(batch: Batch, recent: Alert, event: AlertIn, key: str) -> Ingested:
    """A re-fire within the flap window reopens the alert; while a matching silence is in
    force it comes back silenced (audited, not posted) until that silence ends."""
    session = await batch.unit.session()
    await batch.flush()
    silence = batch.silence_for(event, recent.severity)
    if silence is not None:
        recent.silenced_by = silence.id
    to = Status.SILENCED if silence is not None else Status.OPEN
    await _transition(batch.unit, session, batch.cfg, recent, event, to, "reopened", batch.now)
    batch.live[key] = recent
    batch.carded.update((recent.id, c.platform, c.channel)
                        for c in channels_of(batch.tenant, recent))
    return Ingested(Effect.REOPENED, recent.short_id, key)


async def ingest_many(unit: UnitOfWork, cfg: TandemConfig, tenant: TenantConfig,
                      events: list[AlertIn], now: datetime) -> list[Ingested]:
    """Ingest a group of one tenant's events in order, inside the caller's unit of work."""
    keys = [fingerprint(tenant.id, e) for e in events]
    batch = await Batch.prefetch(unit, cfg, tenant, set(keys), now)
    outcomes = [await _one(batch, event, key) for event, key in zip(events, keys, strict=True)]
    await batch.flush()
    return _settled(outcomes, keys)


def _settled(outcomes: list[Ingested | Alert], keys: list[str]) -> list[Ingested]:
    """New alerts have their ids now; the first event of each created it."""
    made: set[int] = set()
    results = []
    for outcome, key in zip(outcomes, keys, strict=True):
        if isinstance(outcome, Alert):
            effect = Effect.DEDUPLICATED if id(outcome) in made else Effect.CREATED
            made.add(id(outcome))
            outcome = Ingested(effect, outcome.short_id, key)
        results.append(outcome)
    return results


async def ingest(unit: UnitOfWork, cfg: TandemConfig, tenant: TenantConfig,
                 event: AlertIn, now: datetime) -> Ingested:
    return (await ingest_many(unit, cfg, tenant, [event], now))[0]
