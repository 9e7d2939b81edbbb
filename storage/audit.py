"""Reading the audit log back: `verify` walks each tenant's hash chain (appended by
storage/chain.py) and names the first bad row; `events` streams a chain for export.
"""

from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, RowMapping, Text, cast, select
from sqlmodel import col

from storage import canonical
from storage.chain import CHAINED, GENESIS, digest, stamp
from storage.db import Database
from storage.models import AuditEvent, Tenant

# The chain of what concerns no tenant the actor belongs to (migration 0009): a tenant
# id the configuration cannot spell, so no tenant's log records another tenant's people.
DEPLOYMENT = "_deployment"


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


EXPORTED = (*CHAINED, "hash")
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
    body = dict(zip(CHAINED, row[:_HASH], strict=True))
    body["at"] = stamp(body["at"])
    body["details"] = canonical.loads(body["details"])
    if digest(body) != row[_HASH]:
        return "has been altered: its hash does not match its contents"
    return None


async def _batches(
    db: Database, tenant_id: str, since: datetime | None = None, columns: tuple = _COLUMNS
) -> AsyncGenerator[Sequence[Row], None]:
    """A tenant's events in sequence order, as batches of rows of `columns`."""
    stmt = select(*columns).where(col(AuditEvent.tenant_id) == tenant_id)
    if since is not None:
        stmt = stmt.where(col(AuditEvent.at) >= since)
    stmt = stmt.order_by(col(AuditEvent.seq)).execution_options(yield_per=5000)
    async with db.engine.connect() as conn:
        result = await conn.stream(stmt)
        async for part in result.partitions():
            yield part


async def events(
    db: Database, tenant_id: str, since: datetime | None = None
) -> AsyncIterator[RowMapping]:
    """A tenant's events in sequence order, streamed in batches."""
    async with aclosing(_batches(db, tenant_id, since)) as batches:
        async for part in batches:
            for row in part:
                yield row._mapping


async def _verify_tenant(db: Database, tenant: Tenant) -> tuple[int, Break | None]:
    """Walk the chain up to the head as `tenant` was read: events appended since (the
    server keeps logging while this runs) are the next walk's."""
    prev, seq = GENESIS, 0
    # Plain rows rather than mappings: this loop runs once per event ever logged.
    # Stopping early closes the stream.
    async with aclosing(_batches(db, tenant.id, columns=_RAW_COLUMNS)) as batches:
        async for part in batches:
            for row in part:
                if seq == tenant.audit_seq and row[_SEQ] > seq:
                    break
                seq += 1
                reason = _check(row, seq, prev)
                if reason:
                    return seq, Break(tenant.id, row[_SEQ], reason)
                prev = row[_HASH]
            else:
                continue
            break
    if seq != tenant.audit_seq or prev != (tenant.audit_head or GENESIS):
        return seq, Break(tenant.id, seq + 1, "is missing: the log ends before its recorded head")
    return seq, None


class UnknownTenant(LookupError):
    """`verify` was asked for a chain that does not exist."""


async def verify(db: Database, tenant_id: str | None = None) -> Verification:
    """Walk every chain (or one tenant's); raises UnknownTenant for a chain that is not
    there, so a typo is not reported as an intact log of nothing."""
    async with db.read() as session:
        query = select(Tenant).order_by(col(Tenant.id))
        if tenant_id:
            query = query.where(col(Tenant.id) == tenant_id)
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
