"""The monthly report's reads of alerts and the audit log (handlers/evidence/build.py).

Everything here reads; nothing locks. The month's alerts and the month's events of a
few verbs are streamed in batches (a busy tenant has 100,000 alerts and a million
events in a month), as small tuples rather than ORM objects; the events of a few
alerts (the incidents' timelines, what came before the month) are read by alert
through ix_audit_event_alert. The month's events are read by tenant, verb and time
through ix_audit_event_tenant_verb_at (migration 0016).
"""

import json
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, NamedTuple

import orjson
from sqlalchemy import (
    ColumnElement,
    DateTime,
    Select,
    String,
    Text,
    case,
    cast,
    func,
    select,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import Database
from storage.models import Alert, AuditEvent

BATCH = 5000
IN_CHUNK = 500  # ids per IN (...) list


class MonthAlert(NamedTuple):
    short_id: str
    first_seen: datetime
    severity: str
    source: str
    status: str


class Event(NamedTuple):
    """An audit event as the report reads it; `details` is None when not asked for."""

    seq: int
    alert: str | None
    at: datetime
    verb: str
    actor: str
    actor_side: str | None
    details: dict[str, Any] | None


class AlertFacts(NamedTuple):
    short_id: str
    title: str
    severity: str
    source: str
    first_seen: datetime
    resolved_at: datetime | None


_EVENT = (col(AuditEvent.seq), col(AuditEvent.alert), col(AuditEvent.at), col(AuditEvent.verb),
          col(AuditEvent.actor), col(AuditEvent.actor_side))


@asynccontextmanager
async def reading(db: Database) -> AsyncIterator[AsyncSession]:
    """A session to build a report in. On PostgreSQL one REPEATABLE READ transaction, so
    every query of the report reads the same snapshot and the large reads can stream
    (asyncpg's cursors need a transaction; `Database.read()` autocommits there). On
    SQLite a reader's transaction, which is a snapshot already (WAL)."""
    if db.dialect != "postgresql":
        async with db.read() as session:
            yield session
        return
    async with db.engine.connect() as conn:
        await conn.execution_options(isolation_level="REPEATABLE READ")
        async with AsyncSession(bind=conn, expire_on_commit=False) as session, session.begin():
            yield session


def _chunks(items: Sequence[str]) -> list[Sequence[str]]:
    return [items[i:i + IN_CHUNK] for i in range(0, len(items), IN_CHUNK)]


def _decoded(value: str | dict | None) -> dict[str, Any] | None:
    """Details as stored: JSON text (cast) or already decoded by the driver."""
    if value is None or isinstance(value, dict):
        return value
    found = json.loads(value)
    return found if isinstance(found, dict) else {}


def _event(row: Sequence[Any]) -> Event:
    seq, alert, at, verb, actor, side, details = row
    return Event(seq, alert, at, verb, actor, side, _decoded(details))


def _fast_utc(session: AsyncSession, column: Any) -> tuple[ColumnElement,
                                                            Callable[[Any], datetime] | None]:
    """A timestamp column read for many rows as aware UTC datetimes, and the call that
    makes each value one (None: none needed). The same as UTCDateTime, at a fraction of
    its cost: SQLite's text, suffixed "+00:00" in SQL, goes straight to
    datetime.fromisoformat; PostgreSQL sends a timestamptz, which asyncpg reads as an
    aware UTC datetime."""
    if session.get_bind().dialect.name == "sqlite":
        return type_coerce(column, String()) + "+00:00", datetime.fromisoformat
    return type_coerce(func.timezone("UTC", column), DateTime(timezone=True)), None


async def _stream(session: AsyncSession, query: Select) -> AsyncIterator[Sequence[Any]]:
    """Rows in batches, through the session's connection (plain rows: the ORM's result
    handling would cost as much as the report's own work)."""
    conn = await session.connection()
    result = await conn.stream(query.execution_options(yield_per=BATCH))
    async for part in result.partitions():
        yield part


async def month_alerts(session: AsyncSession, tenant: str, starts: datetime,
                       ends: datetime) -> AsyncIterator[list[MonthAlert]]:
    """The alerts first seen in [starts, ends), in batches (ix_alert_tenant_first_seen)."""
    seen, utc = _fast_utc(session, col(Alert.first_seen))
    query = select(col(Alert.short_id), seen, col(Alert.severity), col(Alert.source),
                   col(Alert.status)).where(
        col(Alert.tenant_id) == tenant, col(Alert.first_seen) >= starts,
        col(Alert.first_seen) < ends)
    async for part in _stream(session, query):
        yield [MonthAlert(alert, utc(at) if utc else at, severity, source, status)
               for alert, at, severity, source, status in part]


async def events_of_verbs(session: AsyncSession, tenant: str, verbs: Collection[str],
                          since: datetime, until: datetime,
                          detailed: Collection[str]) -> AsyncIterator[list[Event]]:
    """The tenant's events of `verbs` in [since, until), in sequence order, in batches;
    only those of a `detailed` verb carry their details (decoding every event's JSON
    would cost more than the rest of the report)."""
    details = case((col(AuditEvent.verb).in_(sorted(detailed)),
                    cast(col(AuditEvent.details), Text)), else_=None)
    at, utc = _fast_utc(session, col(AuditEvent.at))
    query = (select(col(AuditEvent.seq), col(AuditEvent.alert), at, col(AuditEvent.verb),
                    col(AuditEvent.actor), col(AuditEvent.actor_side), details)
             .where(col(AuditEvent.tenant_id) == tenant, col(AuditEvent.verb).in_(sorted(verbs)),
                    col(AuditEvent.at) >= since, col(AuditEvent.at) < until)
             .order_by(col(AuditEvent.seq)))
    loads = orjson.loads
    async for part in _stream(session, query):
        yield [Event(seq, alert, utc(when) if utc else when, verb, actor, side,
                     loads(text) if text else None)
               for seq, alert, when, verb, actor, side, text in part]


async def events_of_alerts(session: AsyncSession, tenant: str, alerts: Sequence[str],
                           until: datetime, verbs: Collection[str] | None = None,
                           since: datetime | None = None) -> list[Event]:
    """Every event (or those of `verbs`) of these alerts before `until` (and at or after
    `since`), with details, in sequence order."""
    found: list[Event] = []
    for chunk in _chunks(alerts):
        query = select(*_EVENT, col(AuditEvent.details)).where(
            col(AuditEvent.tenant_id) == tenant, col(AuditEvent.alert).in_(chunk),
            col(AuditEvent.at) < until)
        if verbs is not None:
            query = query.where(col(AuditEvent.verb).in_(sorted(verbs)))
        if since is not None:
            query = query.where(col(AuditEvent.at) >= since)
        found += [_event(row) for row in await session.execute(query)]
    return sorted(found, key=lambda e: e.seq)


async def first_seen(session: AsyncSession, tenant: str,
                     alerts: Sequence[str]) -> dict[str, datetime]:
    found: dict[str, datetime] = {}
    for chunk in _chunks(alerts):
        query = select(col(Alert.short_id), col(Alert.first_seen)).where(
            col(Alert.tenant_id) == tenant, col(Alert.short_id).in_(chunk))
        found.update((alert, at) for alert, at in await session.execute(query))
    return found


async def alert_facts(session: AsyncSession, tenant: str,
                      alerts: Sequence[str]) -> list[AlertFacts]:
    found: list[AlertFacts] = []
    for chunk in _chunks(alerts):
        query = select(col(Alert.short_id), col(Alert.title), col(Alert.severity),
                       col(Alert.source), col(Alert.first_seen), col(Alert.resolved_at)).where(
            col(Alert.tenant_id) == tenant, col(Alert.short_id).in_(chunk))
        found += [AlertFacts(*row) for row in await session.execute(query)]
    return found


async def with_severity(session: AsyncSession, tenant: str, severity: str, starts: datetime,
                        ends: datetime) -> list[str]:
    """Short ids of the alerts of `severity` first seen in [starts, ends)."""
    query = select(col(Alert.short_id)).where(
        col(Alert.tenant_id) == tenant, col(Alert.severity) == severity,
        col(Alert.first_seen) >= starts, col(Alert.first_seen) < ends)
    return list((await session.execute(query)).scalars())

