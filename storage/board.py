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
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    bindparam,
    func,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.execution_models import Execution
from storage.models import Alert, Remediation, table_of
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
_ESCAPE = "/"


class _Shape(NamedTuple):
    """Which filters a query has: its statement is built once per shape (building one,
    several tenants' subqueries and all, costs several times running it)."""

    tenants: int
    statuses: bool
    live: bool
    owner: bool
    unowned: bool
    severities: bool
    source: bool
    text: bool
    after: bool
    sqlite: bool


def _shape(q: BoardQuery, dialect: str) -> _Shape:
    return _Shape(len(q.tenants), q.statuses is not None, q.live, q.owner is not None,
                  q.unowned, bool(q.severities), q.source is not None, bool(q.text),
                  q.after is not None, dialect == "sqlite")


def _title_holds(shape: _Shape) -> ColumnElement[bool]:
    """The title holds the text in either case. SQLite's LIKE ignores ASCII case itself,
    as its lower() would, at half the cost of lower() on every row; elsewhere ILIKE."""
    pattern: BindParameter[str] = bindparam("contains")
    if shape.sqlite:
        return col(Alert.title).like(pattern, escape=_ESCAPE)
    return col(Alert.title).ilike(pattern, escape=_ESCAPE)


def _escaped(text: str) -> str:
    """`text` matched literally by LIKE ... ESCAPE '/'."""
    for special in (_ESCAPE, "%", "_"):
        text = text.replace(special, _ESCAPE + special)
    return text


def _params(q: BoardQuery) -> dict[str, Any]:
    params: dict[str, Any] = {f"t{i}": t for i, t in enumerate(q.tenants)}
    params.update(tenants=list(q.tenants), statuses=list(q.statuses or ()), owner=q.owner,
                  severities=list(q.severities), source=q.source, limit=q.limit)
    if q.text:
        params.update(prefix=_escaped(q.text.upper()) + "%",
                      contains="%" + _escaped(q.text) + "%")
    if q.after is not None:
        params.update(seen=q.after[0], after_id=q.after[1])
    return params


def _where(shape: _Shape, tenant: ColumnElement[bool], *,
           severities: bool = True) -> list[ColumnElement[bool]]:
    """The conditions of `shape`; its text is the start of a short id or part of a
    title, in either case."""
    found: list[ColumnElement[bool]] = [tenant]
    if shape.live:
        found.append(LIVE)
    if shape.statuses:
        found.append(col(Alert.status).in_(bindparam("statuses", expanding=True)))
    if shape.owner:
        found.append(col(Alert.owner_email) == bindparam("owner"))
    if shape.unowned:
        found.append(col(Alert.owner_email).is_(None))
    if severities and shape.severities:
        found.append(col(Alert.severity).in_(bindparam("severities", expanding=True)))
    if shape.source:
        found.append(col(Alert.source) == bindparam("source"))
    if shape.text:
        found.append(or_(col(Alert.short_id).like(bindparam("prefix"), escape=_ESCAPE),
                         _title_holds(shape)))
    return found


def _one_tenant(shape: _Shape, tenant: ColumnElement[bool]) -> Select:
    query = (select(*_ROW).where(*_where(shape, tenant))
             .order_by(col(Alert.first_seen).desc(), col(Alert.id).desc())
             .limit(bindparam("limit", type_=Integer)))
    if shape.after:
        seen = bindparam("seen", type_=table_of(Alert).c.first_seen.type)
        position = tuple_(seen, bindparam("after_id", type_=Integer))
        query = query.where(tuple_(col(Alert.first_seen), col(Alert.id)) < position)
    return query


@lru_cache(maxsize=256)
def _page_statement(shape: _Shape) -> Select:
    if shape.tenants == 1:
        return _one_tenant(shape, col(Alert.tenant_id) == bindparam("t0"))
    arms = (_one_tenant(shape, col(Alert.tenant_id) == bindparam(f"t{i}")).subquery()
            for i in range(shape.tenants))
    merged = union_all(*(select(arm) for arm in arms)).subquery()
    return (select(merged).order_by(merged.c.first_seen.desc(), merged.c.id.desc())
            .limit(bindparam("limit", type_=Integer)))


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def page_query(q: BoardQuery, dialect: str) -> tuple[Select, dict[str, Any]]:
    """The statement of one page and its parameters (bench/console.py prints its plan)."""
    return _page_statement(_shape(q, dialect)), _params(q)


async def page(session: AsyncSession, q: BoardQuery) -> list[BoardAlert]:
    """Up to `q.limit` rows after `q.after` (ask for one more to learn whether more follow)."""
    statement, params = page_query(q, _dialect(session))
    return [BoardAlert(*row) for row in await session.execute(statement, params)]


_TENANTS = col(Alert.tenant_id).in_(bindparam("tenants", expanding=True))


@lru_cache(maxsize=256)
def _counts_statement(shape: _Shape) -> Select:
    return (select(col(Alert.severity), func.count())
            .where(*_where(shape, _TENANTS, severities=False))
            .group_by(col(Alert.tenant_id), col(Alert.severity)))


@lru_cache(maxsize=256)
def _capped_statement(shape: _Shape) -> Select:
    """How many alerts match, counting no further than `cap`: an index-only read."""
    some = (select(col(Alert.id)).where(*_where(shape, _TENANTS, severities=False))
            .limit(bindparam("cap", type_=Integer)))
    return select(func.count()).select_from(some.subquery())


def counts_query(q: BoardQuery, dialect: str) -> tuple[Select, dict[str, Any]]:
    """Alerts per (tenant, severity) under every filter of `q` but the severities (the
    chips offer the others) and the position."""
    return _counts_statement(_shape(q, dialect)), _params(q)


async def severity_counts(session: AsyncSession, q: BoardQuery,
                          cap: int | None = None) -> dict[str, int] | None:
    """How many alerts each severity has (see counts_query); None when more than `cap`
    alerts match, which a board reaching into the resolved history may (counting them
    all would cost a read of each)."""
    statement, params = counts_query(q, _dialect(session))
    if cap is not None:
        capped = _capped_statement(_shape(q, _dialect(session)))
        if (await session.execute(capped, params | {"cap": cap + 1})).scalar_one() > cap:
            return None
    counted: dict[str, int] = {}
    for severity, n in await session.execute(statement, params):
        counted[severity] = counted.get(severity, 0) + n
    return counted


_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_RUNS = (select(col(Execution.remediation_id), func.max(col(Execution.id)).label("last"))
         .where(col(Execution.alert_id).in_(_IDS))
         .group_by(col(Execution.remediation_id)).subquery())
_FIXES = (
    select(col(Remediation.alert_id), col(Remediation.action_id), col(Remediation.status),
           col(Remediation.needs_internal_approver), col(Execution.status))
    .outerjoin(_RUNS, _RUNS.c.remediation_id == Remediation.id)
    .outerjoin(Execution, col(Execution.id) == _RUNS.c.last)
    .where(col(Remediation.id).in_(select(func.max(col(Remediation.id)))
                                   .where(col(Remediation.alert_id).in_(_IDS))
                                   .group_by(col(Remediation.alert_id))))
)
_STORMS = (select(col(StormAlert.alert_id), func.max(col(StormAlert.storm_id)))
           .where(col(StormAlert.alert_id).in_(_IDS))
           .group_by(col(StormAlert.alert_id)))


async def fixes(session: AsyncSession, alert_ids: Sequence[int]) -> dict[int, FixRow]:
    """The latest fix of each of these alerts that has one, and its latest run's status."""
    if not alert_ids:
        return {}
    found = await session.execute(_FIXES, {"ids": list(alert_ids)})
    return {alert_id: FixRow(action, status, needs, ran)
            for alert_id, action, status, needs, ran in found}


async def storms(session: AsyncSession, alert_ids: Sequence[int]) -> dict[int, int]:
    """The storm each of these alerts joined (the latest, if several)."""
    if not alert_ids:
        return {}
    return dict((await session.execute(_STORMS, {"ids": list(alert_ids)})).all())
