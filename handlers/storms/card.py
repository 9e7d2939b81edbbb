"""A storm's card: what it shows, and the changes that refresh it."""

from datetime import datetime, timedelta

from handlers.config.schema import TandemConfig
from handlers.enums import Severity, Status
from handlers.people.resolve import view_of
from handlers.reads.build import tenant_of
from handlers.storms.grouping import refresh_rows
from handlers.views import StormRow, StormView
from storage import storms
from storage.models import Alert
from storage.unit import Session, UnitOfWork

# Rows a storm card lists: two Slack blocks each, well inside Slack's 50-block limit.
TOP = 15
_RANK = {severity.value: rank for rank, severity in enumerate(Severity)}


async def _row(session: Session, cfg: TandemConfig, alert: Alert, opened: bool) -> StormRow:
    owner = await view_of(session, cfg, alert.owner_email) if alert.owner_email else None
    return StormRow(alert.short_id, alert.title, Severity(alert.severity), Status(alert.status),
                    alert.state_version, owner, opened)


class BeingPosted(Exception):
    """Another dispatcher is posting this storm's first card; try again shortly."""


async def storm_card(session: Session, cfg: TandemConfig, storm_id: int, now: datetime,
                     lease: timedelta) -> tuple[StormView, str | None] | None:
    """The storm card's current state, taken for sending (a change after this queues
    another refresh), and the reference of its message once posted (None: the caller
    posts it, and holds the first post for `lease`). None when there is no such storm;
    BeingPosted while another caller holds the first post."""
    taken = await storms.take(session, storm_id, _RANK, TOP, now, lease)
    if taken is None:
        return None
    if taken.busy:
        raise BeingPosted(f"storm {storm_id}'s card is being posted")
    storm = taken.storm
    tenant = await tenant_of(session, cfg, storm.tenant_id)
    rows = tuple([await _row(session, cfg, m.alert, m.opened) for m in taken.top])
    severities = tuple((s, taken.severities[s]) for s in Severity if s in taken.severities)
    view = StormView(storm.id, storm.tenant_id, tenant.timezone, storm.source, storm.opened_at,
                     storm.last_at, sum(taken.severities.values()), severities, rows)
    return view, taken.ref


async def posted(unit: UnitOfWork, storm_id: int, ref: str) -> None:
    """Remember the storm card's message, which later refreshes update."""
    await storms.save_ref(await unit.session(), storm_id, ref)


async def not_posted(unit: UnitOfWork, storm_id: int) -> None:
    """The card's first post failed; it is posted by a later refresh."""
    await storms.forget_posting(await unit.session(), storm_id)


async def refresh(unit: UnitOfWork, storm_id: int, at: datetime) -> None:
    """Queue a refresh of the storm's card, unless one waits already: a change to an
    alert whose card is the storm's lands here."""
    session = await unit.session()
    unit.outbox(refresh_rows(await storms.queue(session, [storm_id]), at))
