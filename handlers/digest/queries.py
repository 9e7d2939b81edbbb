"""The digest's SQL aggregates, each one an index range scan over a short window.

Counts over the period use ix_alert_tenant_first_seen / _claimed_at / _resolved_at;
what is live now uses ix_alert_tenant_status. None of them reads a tenant's
history, so a digest costs the same with a thousand or a million old alerts.
"""

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import aliased

from handlers.enums import WORKING, Severity, Status
from storage.models import Alert, Person, Remediation
from storage.unit import Session


def seconds(later, earlier, dialect: str) -> ColumnElement:
    """Seconds from `earlier` to `later`, in the SQL of the engine in use."""
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _in(column, since: datetime, until: datetime) -> tuple:
    return column >= since, column < until


async def _scalar(session: Session, query: Select) -> int:
    return (await session.execute(query)).scalar_one() or 0


async def counts(session: Session, tenant: str, since: datetime,
                 until: datetime) -> dict[str, int]:
    """New and resolved in the period; open and unclaimed now."""
    base = select(func.count()).select_from(Alert).where(Alert.tenant_id == tenant)
    return {
        "new": await _scalar(session, base.where(*_in(Alert.first_seen, since, until))),
        "resolved": await _scalar(session, base.where(*_in(Alert.resolved_at, since, until))),
        "open": await _scalar(session, base.where(Alert.status.in_(WORKING))),
        "unclaimed": await _scalar(session, base.where(Alert.status == Status.OPEN)),
    }


async def oldest(session: Session, tenant: str, statuses: tuple[Status, ...],
                 limit: int) -> list[tuple[Alert, Person | None]]:
    """The `limit` oldest alerts in these statuses.

    One short ordered read of ix_alert_tenant_status_first_seen per status: asked
    for all statuses at once, planners walk the first_seen index through the whole
    history instead.
    """
    found = []
    for status in statuses:
        query = (
            select(Alert, Person)
            .outerjoin(Person, Person.email == Alert.owner_email)
            .where(Alert.tenant_id == tenant, Alert.status == status)
            .order_by(Alert.first_seen, Alert.id)
            .limit(limit)
        )
        found += [(a, p) for a, p in await session.execute(query)]
    return sorted(found, key=lambda pair: (pair[0].first_seen, pair[0].id))[:limit]


async def pending_approvals(session: Session, tenant: str,
                            limit: int) -> list[tuple[Alert, Remediation, Person | None]]:
    later = aliased(Remediation)
    latest = select(func.max(later.id)).where(later.alert_id == Alert.id).scalar_subquery()
    query = (
        select(Alert, Remediation, Person)
        .join(Remediation, Remediation.alert_id == Alert.id)
        .outerjoin(Person, Person.email == Remediation.proposed_by)
        .where(Alert.tenant_id == tenant, Alert.status == Status.REMEDIATION_PENDING,
               Remediation.status == "pending", Remediation.id == latest)
        .order_by(Remediation.proposed_at)
        .limit(limit)
    )
    return [tuple(row) for row in await session.execute(query)]


async def sla_breaches(session: Session, tenant: str, severity: Severity, limit: timedelta,
                       since: datetime, until: datetime, dialect: str) -> int:
    """Alerts whose ack SLA ran out during the period while nobody had claimed them.

    The SLA runs out at first_seen + limit, so each breach falls in one period only.
    """
    answered = func.coalesce(Alert.claimed_at, Alert.resolved_at)
    late = seconds(answered, Alert.first_seen, dialect) > limit.total_seconds()
    query = select(func.count()).select_from(Alert).where(
        Alert.tenant_id == tenant, *_in(Alert.first_seen, since - limit, until - limit),
        Alert.severity == severity, Alert.status != Status.SILENCED,
        answered.is_(None) | late,
    )
    return await _scalar(session, query)


async def response_sums(session: Session, tenant: str, column, since: datetime,
                        until: datetime, dialect: str) -> dict[str | None, tuple[int, float]]:
    """Per owner side: how many alerts reached `column` in the period, and total seconds."""
    query = (
        select(Alert.owner_side, func.count(), func.sum(seconds(column, Alert.first_seen, dialect)))
        .where(Alert.tenant_id == tenant, *_in(column, since, until))
        .group_by(Alert.owner_side)
    )
    return {side: (n, float(total or 0)) for side, n, total in await session.execute(query)}


async def noisiest(session: Session, tenant: str, since: datetime, until: datetime,
                   limit: int) -> list[tuple[str, int, int]]:
    """Sources by alerts opened in the period, with their occurrences."""
    alerts, events = func.count(), func.sum(Alert.count)
    query = (
        select(Alert.source, alerts, events)
        .where(Alert.tenant_id == tenant, *_in(Alert.first_seen, since, until))
        .group_by(Alert.source)
        .order_by(alerts.desc(), events.desc(), Alert.source)
        .limit(limit)
    )
    return [(source, n, int(total or 0)) for source, n, total in await session.execute(query)]
