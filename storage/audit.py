"""Reading the audit log back: `verify` walks each tenant's hash chain (appended by
storage/chain.py) and names the first bad row; `events` streams a chain for export.

The chain alone does not stop someone who can write the database: an event rewritten,
the rest re-hashed and the head moved makes an intact chain. `verify` is therefore
also handed anchors, points the chain must still pass through (signed checkpoints,
kept in the database and in chat: handlers/evidence/checkpoints.py), and names the
first one the chain no longer passes through.
"""

from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
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
class Anchor:
    """Event #seq must have `hash`; `name` says where that is known from ("the
    checkpoint of 2026-11-30 09:00 UTC")."""

    seq: int
    hash: str
    name: str


@dataclass(frozen=True)
class Verification:
    checked: int
    broken: Break | None
    anchored: int = 0  # anchors the chain was found to pass through

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


class _Anchors:
    """One chain's anchors in sequence order, met one by one as the walk passes them;
    `next` is the seq of the next one (-1: none left), so the walk's fast path compares
    one integer per event."""

    def __init__(self, tenant_id: str, anchors: Sequence[Anchor]):
        self.tenant_id = tenant_id
        self.todo = sorted(anchors, key=lambda a: a.seq)
        self.done = 0
        self.matched: Anchor | None = None
        self.next = self.todo[0].seq if self.todo else -1

    def passed(self, seq: int, found: str) -> Break | None:
        """Event #seq, whose hash is `found`, against the anchors at it."""
        while self.done < len(self.todo) and self.todo[self.done].seq == seq:
            anchor = self.todo[self.done]
            if anchor.hash != found:
                return Break(self.tenant_id, seq, f"no longer matches {anchor.name}: the log "
                             f"was rewritten at or before it ({self._since()})")
            self.matched, self.done = anchor, self.done + 1
        self.next = self.todo[self.done].seq if self.done < len(self.todo) else -1
        return None

    def beyond(self, last: int) -> Break | None:
        """An anchor past the walked log's end: events it vouches for are gone."""
        if self.done == len(self.todo):
            return None
        anchor = self.todo[self.done]
        return Break(self.tenant_id, anchor.seq, f"is missing: the log ends at #{last}, "
                     f"before {anchor.name} ({self._since()})")

    def _since(self) -> str:
        if self.matched is None:
            return "no earlier checkpoint to narrow it down"
        return f"after #{self.matched.seq}, the last checkpoint still matching"


async def _verify_tenant(db: Database, tenant: Tenant,
                         anchors: _Anchors) -> tuple[int, Break | None]:
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
                if seq == anchors.next and (broken := anchors.passed(seq, prev)):
                    return seq, broken
            else:
                continue
            break
    if seq != tenant.audit_seq or prev != (tenant.audit_head or GENESIS):
        return seq, Break(tenant.id, seq + 1, "is missing: the log ends before its recorded head")
    return seq, anchors.beyond(seq)


class UnknownTenant(LookupError):
    """`verify` was asked for a chain that does not exist."""


async def verify(db: Database, tenant_id: str | None = None,
                 anchors: Mapping[str, Sequence[Anchor]] | None = None) -> Verification:
    """Walk every chain (or one tenant's), each through its `anchors` (read them before
    calling: an anchor must not be newer than the head this reads); raises
    UnknownTenant for a chain that is not there, so a typo is not reported as an intact
    log of nothing."""
    async with db.read() as session:
        query = select(Tenant).order_by(col(Tenant.id))
        if tenant_id:
            query = query.where(col(Tenant.id) == tenant_id)
        tenants = (await session.execute(query)).scalars().all()
    if tenant_id and not tenants:
        raise UnknownTenant(tenant_id)
    checked = anchored = 0
    for tenant in tenants:
        marks = _Anchors(tenant.id, (anchors or {}).get(tenant.id, ()))
        count, broken = await _verify_tenant(db, tenant, marks)
        checked, anchored = checked + count, anchored + marks.done
        if broken:
            return Verification(checked, broken, anchored)
    return Verification(checked, None, anchored)
