"""The digest's SQL aggregates, each one an index range scan over a short window, and
the record of which digests were sent.

Counts over the period use ix_alert_tenant_first_seen / _claimed_at / _resolved_at;
what is live now uses ix_alert_tenant_status. None of them reads a tenant's
history, so a digest costs the same with a thousand or a million old alerts. The
statuses that mean "working", "unclaimed" and so on are the domain's and come as
arguments.
"""

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from storage.errors import translated
from storage.models import Alert, DigestSent, Person, Remediation


def _seconds(later, earlier, dialect: str) -> ColumnElement:
    """Seconds from `earlier` to `later`, in the SQL of the engine in use."""
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _in(column, since: datetime, until: datetime) -> tuple:
    return column >= since, column < until


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def _scalar(session: AsyncSession, query: Select) -> int:
    return (await session.execute(query)).scalar_one() or 0


async def counts(session: AsyncSession, tenant: str, since: datetime, until: datetime,
                 working: Sequence[str], unclaimed: str) -> dict[str, int]:
    """New and resolved in the period; open (a `working` status) and `unclaimed` now."""
    base = select(func.count()).select_from(Alert).where(col(Alert.tenant_id) == tenant)
    return {
        "new": await _scalar(session, base.where(*_in(col(Alert.first_seen), since, until))),
        "resolved": await _scalar(session, base.where(*_in(col(Alert.resolved_at), since, until))),
        "open": await _scalar(session, base.where(col(Alert.status).in_(working))),
        "unclaimed": await _scalar(session, base.where(col(Alert.status) == unclaimed)),
    }


async def oldest(session: AsyncSession, tenant: str, statuses: Sequence[str],
                 limit: int) -> list[tuple[Alert, Person | None]]:
    """The `limit` oldest alerts in these statuses.

    One short ordered read of ix_alert_tenant_status_first_seen per status: asked
    for all statuses at once, planners walk the first_seen index through the whole
    history instead.
    """
    found: list[tuple[Alert, Person | None]] = []
    for status in statuses:
        query = (
            select(Alert, Person)
            .outerjoin(Person, col(Person.email) == Alert.owner_email)
            .where(col(Alert.tenant_id) == tenant, col(Alert.status) == status)
            .order_by(col(Alert.first_seen), col(Alert.id))
            .limit(limit)
        )
        found += [(a, p) for a, p in await session.execute(query)]
    return sorted(found, key=lambda pair: (pair[0].first_seen, pair[0].id))[:limit]


async def pending_approvals(session: AsyncSession, tenant: str, awaiting: str,
                            limit: int) -> list[tuple[Alert, Remediation, Person | None]]:
    """The oldest pending fixes of alerts in status `awaiting`, with their proposers."""
    later = aliased(Remediation)
    latest = select(func.max(later.id)).where(col(later.alert_id) == Alert.id).scalar_subquery()
    query = (
        select(Alert, Remediation, Person)
        .join(Remediation, col(Remediation.alert_id) == Alert.id)
        .outerjoin(Person, col(Person.email) == Remediation.proposed_by)
        .where(col(Alert.tenant_id) == tenant, col(Alert.status) == awaiting,
               col(Remediation.status) == "pending", col(Remediation.id) == latest)
        .order_by(col(Remediation.proposed_at))
        .limit(limit)
    )
    return [(alert, fix, person) for alert, fix, person in await session.execute(query)]


async def sla_breaches(session: AsyncSession, tenant: str, severity: str, limit: timedelta,
                       since: datetime, until: datetime, silenced: str) -> int:
    """Alerts whose ack SLA ran out during the period while nobody had claimed them
    (`silenced` ones are left out).

    The SLA runs out at first_seen + limit, so each breach falls in one period only.
    """
    answered = func.coalesce(col(Alert.claimed_at), col(Alert.resolved_at))
    late = _seconds(answered, col(Alert.first_seen), _dialect(session)) > limit.total_seconds()
    query = select(func.count()).select_from(Alert).where(
        col(Alert.tenant_id) == tenant, *_in(col(Alert.first_seen), since - limit, until - limit),
        col(Alert.severity) == severity, col(Alert.status) != silenced,
        answered.is_(None) | late,
    )
    return await _scalar(session, query)


async def response_sums(session: AsyncSession, tenant: str, reached: str, since: datetime,
                        until: datetime) -> dict[str | None, tuple[int, float]]:
    """Per owner side: how many alerts reached a point in the period (`reached`: the
    column that records it, "claimed_at" or "resolved_at"), and total seconds to it."""
    column = getattr(Alert, reached)
    taken = _seconds(column, col(Alert.first_seen), _dialect(session))
    query = (
        select(col(Alert.owner_side), func.count(), func.sum(taken))
        .where(col(Alert.tenant_id) == tenant, *_in(column, since, until))
        .group_by(col(Alert.owner_side))
    )
    return {side: (n, float(total or 0)) for side, n, total in await session.execute(query)}


async def noisiest(session: AsyncSession, tenant: str, since: datetime, until: datetime,
                   limit: int) -> list[tuple[str, int, int]]:
    """Sources by alerts opened in the period, with their occurrences."""
    alerts, events = func.count(), func.sum(col(Alert.count))
    query = (
        select(col(Alert.source), alerts, events)
        .where(col(Alert.tenant_id) == tenant, *_in(col(Alert.first_seen), since, until))
        .group_by(col(Alert.source))
        .order_by(alerts.desc(), events.desc(), col(Alert.source))
        .limit(limit)
    )
    return [(source, n, int(total or 0)) for source, n, total in await session.execute(query)]


async def last_sent(session: AsyncSession, tenant_id: str, platform: str,
                    channel: str) -> datetime | None:
    """When the channel's latest digest was sent."""
    query = (
        select(col(DigestSent.sent_at))
        .where(col(DigestSent.tenant_id) == tenant_id, col(DigestSent.platform) == platform,
               col(DigestSent.channel) == channel)
        .order_by(col(DigestSent.local_date).desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def sent(session: AsyncSession, tenant_id: str, platform: str, channel: str,
               day: date) -> bool:
    """Whether the channel's digest of that local day is recorded as sent."""
    return await session.get(DigestSent, (tenant_id, platform, channel, day)) is not None


async def record_sent(session: AsyncSession, tenant_id: str, platform: str, channel: str,
                      day: date, now: datetime) -> None:
    """Record the day's digest as sent; raises Conflict when another process recorded it
    first (the day's row is the key)."""
    session.add(DigestSent(tenant_id=tenant_id, platform=platform, channel=channel,
                           local_date=day, sent_at=now))
    with translated():
        await session.flush()
