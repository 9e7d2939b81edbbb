"""Every change of owner or state: one audit event plus one outbox row per channel,
both held by the change's unit of work (`UnitOfWork.audit`, `UnitOfWork.outbox`).

Outbox rows carry no rendered card: the dispatcher renders the alert's current
state when it sends, so a burst of changes collapses into the latest card.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from handlers.config.schema import Channel, TandemConfig
from handlers.config.schema import Tenant as TenantConfig
from storage.models import Alert
from storage.unit import UnitOfWork


class Posted(Protocol):
    """What fanning out reads of an alert: a stored Alert, intake's LiveAlert (the few
    columns a repeat reads) or a row of the escalation tick's columns."""

    @property
    def id(self) -> int: ...
    @property
    def tenant_id(self) -> str: ...
    @property
    def channels(self) -> Sequence[str]: ...


def outbox_row(
    alert: Posted, kind: str, platform: str, channel: str, payload: dict[str, Any], at: datetime
) -> dict[str, Any]:
    """One outbox row about an alert."""
    return message_row(alert.tenant_id, alert.id, kind, platform, channel, payload, at)


def message_row(tenant_id: str, alert_id: int | None, kind: str, platform: str, channel: str,
                payload: dict[str, Any], at: datetime) -> dict[str, Any]:
    """One outbox row as plain values, every one with the same keys: the rows a write
    group holds insert as one statement."""
    return {
        "tenant_id": tenant_id,
        "alert_id": alert_id,
        "kind": kind,
        "platform": platform,
        "channel": channel,
        "payload": payload,
        "created_at": at,
        "due_at": at,
        "attempts": 0,
        "last_error": "",
    }


def channels_of(tenant: TenantConfig | None, alert: Posted) -> list[Channel]:
    """The tenant's channels this alert is posted in (all of them unless routed)."""
    chosen = set(alert.channels)
    return [c for c in (tenant.channels if tenant else ()) if not chosen or c.channel in chosen]


def card_rows(
    tenant: TenantConfig | None, alert: Posted, at: datetime, note: str | None = None
) -> list[dict[str, Any]]:
    """A card refresh (and optional thread note) for every channel the alert is in."""
    payload = {"note": note} if note else {}
    return [
        outbox_row(alert, "card", c.platform, c.channel, payload, at)
        for c in channels_of(tenant, alert)
    ]


def enqueue_card(
    uow: UnitOfWork, cfg: TandemConfig, alert: Alert, at: datetime, note: str | None = None
) -> None:
    uow.outbox(card_rows(cfg.tenant(alert.tenant_id), alert, at, note))


def record(
    uow: UnitOfWork,
    alert: Alert,
    *,
    at: datetime,
    actor: str,
    verb: str,
    actor_side: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    uow.audit(alert.tenant_id, [{
        "at": at,
        "actor": actor,
        "actor_side": actor_side,
        "verb": verb,
        "alert": alert.short_id,
        "from_status": from_status,
        "to_status": to_status,
        "details": details,
    }])
