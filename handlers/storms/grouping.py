"""Which new alerts join a storm instead of getting a card of their own.

Each channel counts its new alerts in fixed windows of the tenant's `storm.window`.
When a window's count goes over `storm.threshold`, the channel is stormy until one
window after that moment: every further new alert in it that is not critical joins
the storm of its source there (one per source and channel), whose single card is
refreshed in place. A window that stays at or under the threshold lets the channel
calm down, and new alerts get their own cards again. Critical alerts count, but always
get their own card.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from handlers.config.schema import Storm as StormConfig
from handlers.config.schema import Tenant as TenantConfig
from handlers.enums import Severity
from handlers.fanout import card_rows, message_row
from handlers.timing.parse import parse_duration
from storage import storms
from storage.models import Alert
from storage.storms import Joined, Queued, Window
from storage.unit import UnitOfWork


def tick(window: Window, now: datetime, span: timedelta, threshold: int) -> bool:
    """Count one new alert in `window` (started afresh once it is `span` old); whether
    the channel is stormy for it."""
    if now - window.started_at >= span:
        window.started_at, window.count = now, 0
    window.count += 1
    if window.count > threshold:
        window.stormy_until = now + span
    return window.stormy_until is not None and now < window.stormy_until


def refresh_rows(queued: Sequence[Queued], at: datetime) -> list[dict[str, Any]]:
    """One outbox row per storm card that needs a refresh (kind "storm")."""
    return [message_row(q.tenant_id, None, "storm", q.platform, q.channel, {"storm": q.id}, at)
            for q in queued]


async def new_alert_rows(unit: UnitOfWork, tenant: TenantConfig, created: Sequence[Alert],
                         now: datetime) -> list[dict[str, Any]]:
    """The outbox rows for a write group's new (posted) alerts: a card row for each of
    their channels, except where a storm's card stands for them instead."""
    rows = [row for alert in created for row in card_rows(tenant, alert, now)]
    settings: StormConfig = tenant.storm
    if not settings.enabled or not rows:
        return rows
    span = parse_duration(settings.window)
    session = await unit.session()
    lanes = await storms.windows(session, tenant.id, {(r["platform"], r["channel"]) for r in rows})
    by_id = {alert.id: alert for alert in created}
    kept, joining = [], []
    for row in rows:
        lane = (row["platform"], row["channel"])
        window = lanes.setdefault(lane, Window(now, 0, None))
        alert = by_id[row["alert_id"]]
        if tick(window, now, span, settings.threshold) and alert.severity != Severity.CRITICAL:
            joining.append((alert, lane))
        else:
            kept.append(row)
    open_ = await storms.open_storms(session, tenant.id, now - span) if joining else {}
    joined = [Joined(alert.id, *lane, alert.source, open_.get((*lane, alert.source)))
              for alert, lane in joining]
    queued = await storms.write(session, tenant.id, lanes, joined, now)
    return kept + refresh_rows(queued, now)
