"""The tamper-evident audit log: a per-tenant sequence chained by SHA-256.

hash = SHA-256 over the canonical JSON (sorted keys, no spaces; see storage/canonical.py)
of the event's fields including prev_hash. The tenant row holds the chain's sequence
and head, which both serialises appends per tenant (bumping the sequence takes its row
lock) and lets `verify` notice a deleted tail; a trigger moves the head to each inserted
event's hash (migration 0005).
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import TYPE_CHECKING

from sqlalchemy import Text, bindparam, cast, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import canonical, json_rows
from storage.models import AuditEvent, Tenant

if TYPE_CHECKING:  # storage.db writes pending events through this module
    from storage.db import Database

GENESIS = "0" * 64
# The chain of what concerns no tenant the actor belongs to (migration 0009): a tenant
# id the configuration cannot spell, so no tenant's log records another tenant's people.
DEPLOYMENT = "_deployment"
_CHAINED = (
    "tenant_id",
    "seq",
    "at",
    "actor",
    "actor_side",
    "verb",
    "alert",
    "from_status",
    "to_status",
    "details",
    "prev_hash",
)
_chained = itemgetter(*_CHAINED)


def _stamp(at: datetime) -> str:
    """2026-11-20T14:02:00.000000Z: strftime's "%Y-%m-%dT%H:%M:%S.%fZ", done faster."""
    return at.isoformat(timespec="microseconds")[:26] + "Z"


def _digest(body: dict) -> str:
    """The hash of an event given its _CHAINED fields, "at" already stamped."""
    return hashlib.sha256(canonical.dumps(body)).hexdigest()


def event_hash(fields: Mapping) -> str:
    body = dict(zip(_CHAINED, _chained(fields), strict=True))
    body["at"] = _stamp(body["at"])
    return _digest(body)


_OPTIONAL = {"actor_side": None, "alert": None, "from_status": None, "to_status": None}
_TENANT, _EVENTS = Tenant.__table__, AuditEvent.__table__
# Built once: these run for every audited change, and building a statement costs
# more than running it.
_BUMP = (
    update(_TENANT)
    .where(_TENANT.c.id == bindparam("tenant"))
    .values(audit_seq=_TENANT.c.audit_seq + bindparam("count"))
    .returning(_TENANT.c.audit_seq, _TENANT.c.audit_head)
)
_INSERT = insert(_EVENTS)


async def write(conn: AsyncConnection, tenant_id: str, entries: list[dict]) -> None:
    """Append a batch of one tenant's events (see `storage.pending.audit_events`) in
    two statements. The bump takes the tenant row's lock first, so concurrent
    appenders to one chain queue there."""
    if not entries:
        return
    bumped = await conn.execute(_BUMP, {"tenant": tenant_id, "count": len(entries)})
    last, head = bumped.one()
    prev, rows = head or GENESIS, []
    for seq, entry in enumerate(entries, start=last - len(entries) + 1):
        fields = {**_OPTIONAL, **entry, "tenant_id": tenant_id, "seq": seq, "prev_hash": prev,
                  "details": entry.get("details") or {}}
        fields["hash"] = prev = event_hash(fields)
        rows.append(fields)
    # On PostgreSQL a large batch is one statement: the head trigger runs per statement,
    # and a long run of updates to the tenant's row in one transaction slows down
    # quadratically.
    await json_rows.insert_all(conn, _INSERT, rows)


@dataclass(frozen=True)
class Break:
    tenant_id: str
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"tenant {self.tenant_id}: audit event #{self.seq} {self.reason}"


@dataclass(frozen=True)
class Verification:
    checked: int
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


EXPORTED = (*_CHAINED, "hash")
_SEQ, _PREV, _HASH = (EXPORTED.index(k) for k in ("seq", "prev_hash", "hash"))
_COLUMNS = tuple(getattr(AuditEvent, k) for k in EXPORTED)
# Verification reads `details` as the stored JSON text and decodes it itself, faster
# than the drivers' json.loads (asyncpg decodes json columns before SQLAlchemy sees them).
_RAW_COLUMNS = tuple(
    cast(c, Text).label(c.key) if c.key == "details" else c for c in _COLUMNS
)


def _check(row: Sequence, expected_seq: int, prev: str) -> str | None:
    """`row` holds an event's EXPORTED values, in that order, `details` as JSON text."""
    if row[_SEQ] != expected_seq:
        return f"is out of sequence (expected #{expected_seq}): events are missing"
    if row[_PREV] != prev:
        return "does not link to the event before it"
    body = dict(zip(_CHAINED, row[:_HASH], strict=True))
    body["at"] = _stamp(body["at"])
    body["details"] = canonical.loads(body["details"])
    if _digest(body) != row[_HASH]:
        return "has been altered: its hash does not match its contents"
    return None


async def _batches(
    db: Database, tenant_id: str, since: datetime | None = None, columns: tuple = _COLUMNS
) -> AsyncIterator[Sequence[Sequence]]:
    """A tenant's events in sequence order, as batches of rows of `columns`."""
    stmt = select(*columns).where(AuditEvent.tenant_id == tenant_id)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    stmt = stmt.order_by(AuditEvent.seq).execution_options(yield_per=5000)
    async with db.engine.connect() as conn:
        result = await conn.stream(stmt)
        async for part in result.partitions():
            yield part


async def events(
    db: Database, tenant_id: str, since: datetime | None = None
) -> AsyncIterator[dict]:
    """A tenant's events in sequence order, streamed in batches."""
    async with aclosing(_batches(db, tenant_id, since)) as batches:
        async for part in batches:
            for row in part:
                yield row._mapping


async def _verify_tenant(db: Database, tenant: Tenant) -> tuple[int, Break | None]:
    prev, seq = GENESIS, 0
    # Plain rows rather than mappings: this loop runs once per event ever logged.
    # Stopping early closes the stream.
    async with aclosing(_batches(db, tenant.id, columns=_RAW_COLUMNS)) as batches:
        async for part in batches:
            for row in part:
                seq += 1
                reason = _check(row, seq, prev)
                if reason:
                    return seq, Break(tenant.id, row[_SEQ], reason)
                prev = row[_HASH]
    if seq != tenant.audit_seq or prev != (tenant.audit_head or GENESIS):
        return seq, Break(tenant.id, seq + 1, "is missing: the log ends before its recorded head")
    return seq, None


class UnknownTenant(LookupError):
    """`verify` was asked for a chain that does not exist."""


async def verify(db: Database, tenant_id: str | None = None) -> Verification:
    """Walk every chain (or one tenant's); raises UnknownTenant for a chain that is not
    there, so a typo is not reported as an intact log of nothing."""
    async with db.read() as session:
        query = select(Tenant).order_by(Tenant.id)
        if tenant_id:
            query = query.where(Tenant.id == tenant_id)
        tenants = (await session.execute(query)).scalars().all()
    if tenant_id and not tenants:
        raise UnknownTenant(tenant_id)
    checked = 0
    for tenant in tenants:
        count, broken = await _verify_tenant(db, tenant)
        checked += count
        if broken:
            return Verification(checked, broken)
    return Verification(checked, None)
