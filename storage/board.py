"""The console's alert board: one page of a filtered board, newest first, and its counts.

A page reads only the columns a row shows (no labels, links or description), ordered by
(first_seen, id) descending, and pages by keyset: it starts strictly after the last row
of the page before, so a deep page costs what the first one does. The position is only
a position: the reader's tenants are applied afresh to every page (handlers/console).

Plans (migration 0018): each tenant is read in order from its own index (live alerts:
ix_alert_board_live; resolved: ix_alert_tenant_status_first_seen; all:
ix_alert_tenant_first_seen) and several tenants are merged by one UNION ALL of those
ordered reads, which both SQLite and PostgreSQL stop after a page. The counts are read
from ix_alert_board_counts alone, grouped by tenant in the index's order.
"""

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, or_, select, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.execution_models import Execution
from storage.models import Alert, Remediation
from storage.queries import LIVE
from storage.storm_models import StormAlert


@dataclass(frozen=True)
class BoardQuery:
    """Which alerts: of `tenants` (never empty); `statuses` None for any (`live`: all of
    them unresolved, said literally so SQLite can use the live alerts' index); owned by
    `owner`, or by nobody (`unowned`); of `severities` (empty: any), of `source`, whose
    short id starts with or title holds `text`; after the position `after`."""

    tenants: tuple[str, ...]
    statuses: tuple[str, ...] | None = None
    live: bool = False
    owner: str | None = None
    unowned: bool = False
    severities: tuple[str, ...] = ()
    source: str | None = None
    text: str | None = None
    after: tuple[datetime, int] | None = None
    limit: int = 50


@dataclass(frozen=True)
class BoardAlert:
    """The columns of one board row."""

    id: int
    short_id: str
    tenant_id: str
    severity: str
    status: str
    title: str
    source: str
    owner_email: str | None
    owner_side: str | None
    first_seen: datetime
    last_seen: datetime
    count: int
    escalation_level: int
    state_version: int
    snoozed_until: datetime | None


@dataclass(frozen=True)
class FixRow:
    """An alert's latest fix as a board row shows it, with its latest run's status."""

    action_id: str
    status: str
    needs_internal_approver: bool
    execution: str | None


_ROW = tuple(getattr(Alert, f.name) for f in fields(BoardAlert))


def _text(text: str) -> ColumnElement[bool]:
    """A short id starting with `text`, or a title holding it (either case); LIKE's
    wildcards in `text` match only themselves."""
    return or_(col(Alert.short_id).startswith(text.upper(), autoescape=True),
               col(Alert.title).icontains(text, autoescape=True))


def _where(q: BoardQuery, tenants: Sequence[str], *,
           severities: bool = True) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [col(Alert.tenant_id).in_(tenants)]
    if q.live:
        found.append(LIVE)
    if q.statuses is not None:
        found.append(col(Alert.status).in_(q.statuses))
    if q.owner is not None:
        found.append(col(Alert.owner_email) == q.owner)
    if q.unowned:
        found.append(col(Alert.owner_email).is_(None))
    if severities and q.severities:
        found.append(col(Alert.severity).in_(q.severities))
    if q.source is not None:
        found.append(col(Alert.source) == q.source)
    if q.text:
        found.append(_text(q.text))
    return found


def _one_tenant(q: BoardQuery, tenant: str) -> Select:
    query = (select(*_ROW).where(*_where(q, (tenant,)))
             .order_by(col(Alert.first_seen).desc(), col(Alert.id).desc()).limit(q.limit))
    if q.after is not None:
        seen, alert_id = q.after
        query = query.where(tuple_(col(Alert.first_seen), col(Alert.id)) < tuple_(seen, alert_id))
    return query


def page_query(q: BoardQuery) -> Select:
    """The statement of one page (bench/console.py prints its plans)."""
    if len(q.tenants) == 1:
        return _one_tenant(q, q.tenants[0])
    merged = union_all(*(select(_one_tenant(q, t).subquery()) for t in q.tenants)).subquery()
    return (select(merged).order_by(merged.c.first_seen.desc(), merged.c.id.desc())
            .limit(q.limit))


async def page(session: AsyncSession, q: BoardQuery) -> list[BoardAlert]:
    """Up to `q.limit` rows after `q.after` (ask for one more to learn whether more follow)."""
    return [BoardAlert(*row) for row in (await session.execute(page_query(q)))]


def counts_query(q: BoardQuery) -> Select:
    """Alerts per (tenant, severity) under every filter of `q` but the severities (the
    chips offer the others) and the position."""
    return (select(col(Alert.severity), func.count())
            .where(*_where(q, q.tenants, severities=False))
            .group_by(col(Alert.tenant_id), col(Alert.severity)))


async def severity_counts(session: AsyncSession, q: BoardQuery,
                          cap: int | None = None) -> dict[str, int] | None:
    """How many alerts each severity has (see counts_query); None when more than `cap`
    alerts match, which a board reaching into the resolved history may (counting them
    all would cost a read of each)."""
    if cap is not None:
        some = select(col(Alert.id)).where(*_where(q, q.tenants, severities=False))
        found = await session.execute(
            select(func.count()).select_from(some.limit(cap + 1).subquery()))
        if found.scalar_one() > cap:
            return None
    counted: dict[str, int] = {}
    for severity, n in (await session.execute(counts_query(q))):
        counted[severity] = counted.get(severity, 0) + n
    return counted


async def fixes(session: AsyncSession, alert_ids: Sequence[int]) -> dict[int, FixRow]:
    """The latest fix of each of these alerts that has one, and its latest run's status."""
    if not alert_ids:
        return {}
    latest = (select(func.max(col(Remediation.id)))
              .where(col(Remediation.alert_id).in_(alert_ids))
              .group_by(col(Remediation.alert_id)))
    runs = (select(col(Execution.remediation_id), func.max(col(Execution.id)).label("last"))
            .where(col(Execution.alert_id).in_(alert_ids))
            .group_by(col(Execution.remediation_id)).subquery())
    query = (
        select(col(Remediation.alert_id), col(Remediation.action_id), col(Remediation.status),
               col(Remediation.needs_internal_approver), col(Execution.status))
        .outerjoin(runs, runs.c.remediation_id == Remediation.id)
        .outerjoin(Execution, col(Execution.id) == runs.c.last)
        .where(col(Remediation.id).in_(latest))
    )
    return {alert_id: FixRow(action, status, needs, ran)
            for alert_id, action, status, needs, ran in (await session.execute(query))}


async def storms(session: AsyncSession, alert_ids: Sequence[int]) -> dict[int, int]:
    """The storm each of these alerts joined (the latest, if several)."""
    if not alert_ids:
        return {}
    query = (select(col(StormAlert.alert_id), func.max(col(StormAlert.storm_id)))
             .where(col(StormAlert.alert_id).in_(alert_ids))
             .group_by(col(StormAlert.alert_id)))
    return dict((await session.execute(query)).all())
