"""Every change of owner or state: one audit event plus one outbox row per channel.

Outbox rows carry no rendered card: the dispatcher renders the alert's current
state when it sends, so a burst of changes collapses into the latest card.
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.config import TandemConfig
from storage import audit
from storage.models import Alert, Outbox


def enqueue_card(
    session: AsyncSession, cfg: TandemConfig, alert: Alert, at: datetime, note: str | None = None
) -> None:
    tenant = cfg.tenant(alert.tenant_id)
    chosen = set(alert.channels)
    for channel in tenant.channels if tenant else ():
        if chosen and channel.channel not in chosen:
            continue
        session.add(
            Outbox(
                tenant_id=alert.tenant_id,
                alert_id=alert.id,
                kind="card",
                platform=channel.platform,
                channel=channel.channel,
                payload={"note": note} if note else {},
                created_at=at,
                due_at=at,
            )
        )


async def record(
    session: AsyncSession,
    alert: Alert,
    *,
    at: datetime,
    actor: str,
    verb: str,
    actor_side: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    details: dict | None = None,
) -> None:
    await audit.append(
        session,
        tenant_id=alert.tenant_id,
        at=at,
        actor=actor,
        actor_side=actor_side,
        verb=verb,
        alert=alert.short_id,
        from_status=from_status,
        to_status=to_status,
        details=details,
    )
