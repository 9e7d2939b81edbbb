"""ingest(): one source event into the alert table, deduplicated, routed and silenced.

Runs inside the caller's transaction, so the alert, its audit event and its outbox
rows commit together, before the HTTP 2xx goes out.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import escalation, silences
from handlers.config import TandemConfig
from handlers.config import Tenant as TenantConfig
from handlers.durations import parse_duration
from handlers.enums import Status
from handlers.fanout import enqueue_card, record
from handlers.intake_types import AlertIn, EventAction
from handlers.routing import route
from storage import queries
from storage.models import Alert, Outbox, Tenant


class Effect(StrEnum):
    CREATED = "created"
    DEDUPLICATED = "deduplicated"
    REOPENED = "reopened"
    RESOLVED = "resolved"
    ACKNOWLEDGED = "acknowledged"
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


async def _last_resolved(session: AsyncSession, tenant_id: str, key: str) -> Alert | None:
    query = (
        select(Alert)
        .where(Alert.tenant_id == tenant_id, Alert.fingerprint == key,
               Alert.status == Status.RESOLVED)
        .order_by(Alert.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalars().first()


async def _card_pending(session: AsyncSession, alert_id: int) -> bool:
    query = (
        select(Outbox.id)
        .where(Outbox.alert_id == alert_id, Outbox.done_at.is_(None), Outbox.kind == "card")
        .limit(1)
    )
    return (await session.execute(query)).first() is not None


async def _create(
    session: AsyncSession,
    cfg: TandemConfig,
    tenant: TenantConfig,
    key: str,
    event: AlertIn,
    now: datetime,
) -> Alert:
    bump = (
        update(Tenant)
        .where(Tenant.id == tenant.id)
        .values(next_alert_number=Tenant.next_alert_number + 1)
        .returning(Tenant.next_alert_number)
    )
    number = (await session.execute(bump)).scalar_one() - 1
    decided = route(tenant, event, now)
    silence = await silences.covering(session, tenant.id, event, now)
    quiet = decided.suppress or silence is not None
    alert = Alert(
        tenant_id=tenant.id,
        number=number,
        short_id=f"{tenant.code}-{number}",
        source=event.source,
        fingerprint=key,
        title=event.title,
        description=event.description,
        severity=decided.severity or event.severity,
        labels=dict(event.labels),
        links=list(event.links),
        channels=list(decided.channels),
        service=event.service,
        status=Status.SILENCED if quiet else Status.OPEN,
        owner_side=decided.side,
        first_seen=event.occurred_at or now,
        last_seen=now,
    )
    escalation.restart(cfg, alert, now)
    session.add(alert)
    await session.flush()
    details = {"dedup_key": key, "severity": alert.severity}
    if silence is not None:
        details["silence"] = silence.id
    if decided.suppress:
        details["suppressed_by_rule"] = True
    await record(
        session,
        alert,
        at=now,
        actor=f"source:{event.source}",
        verb="created",
        to_status=alert.status,
        details=details,
    )
    if not quiet:
        enqueue_card(session, cfg, alert, now)
    return alert


async def _repeat(session: AsyncSession, cfg: TandemConfig, alert: Alert, now: datetime) -> None:
    alert.count += 1
    alert.last_seen = max(alert.last_seen, now)
    await session.flush()
    if alert.status != Status.SILENCED and not await _card_pending(session, alert.id):
        enqueue_card(session, cfg, alert, now)


async def _transition(
    session: AsyncSession,
    cfg: TandemConfig,
    alert: Alert,
    event: AlertIn,
    to: Status,
    verb: str,
    now: datetime,
) -> None:
    before = alert.status
    alert.status = to
    if to == Status.RESOLVED:
        alert.resolved_at, alert.next_escalation_at = now, None
    else:
        alert.resolved_at, alert.owner_email, alert.count = None, None, alert.count + 1
        alert.last_seen = now
        escalation.restart(cfg, alert, now)
    await session.flush()
    await record(
        session,
        alert,
        at=now,
        actor=f"source:{event.source}",
        verb=verb,
        from_status=before,
        to_status=to,
    )
    enqueue_card(session, cfg, alert, now, note=f"{event.source} {verb} it")


async def ingest(
    session: AsyncSession, cfg: TandemConfig, tenant: TenantConfig, event: AlertIn, now: datetime
) -> Ingested:
    key = fingerprint(tenant.id, event)
    live = await queries.live_alert(session, tenant.id, key)
    if event.action is EventAction.RESOLVE:
        if live is None:
            return Ingested(Effect.IGNORED, None, key)
        await _transition(session, cfg, live, event, Status.RESOLVED, "resolved", now)
        return Ingested(Effect.RESOLVED, live.short_id, key)
    if event.action is EventAction.ACKNOWLEDGE:
        if live is None:
            return Ingested(Effect.IGNORED, None, key)
        await record(
            session,
            live,
            at=now,
            actor=f"source:{event.source}",
            verb="acknowledged",
            from_status=live.status,
            to_status=live.status,
        )
        return Ingested(Effect.ACKNOWLEDGED, live.short_id, key)
    if live is not None:
        await _repeat(session, cfg, live, now)
        return Ingested(Effect.DEDUPLICATED, live.short_id, key)
    recent = await _last_resolved(session, tenant.id, key)
    if (
        recent
        and recent.resolved_at
        and now - recent.resolved_at <= parse_duration(tenant.flap_window)
    ):
        await _transition(session, cfg, recent, event, Status.OPEN, "reopened", now)
        return Ingested(Effect.REOPENED, recent.short_id, key)
    alert = await _create(session, cfg, tenant, key, event, now)
    return Ingested(Effect.CREATED, alert.short_id, key)
