"""The tamper-evident audit log: a per-tenant sequence chained by SHA-256.

hash = SHA-256 over the canonical JSON (sorted keys, no spaces) of the event's
fields including prev_hash. The tenant row holds the chain head, which both
serialises appends per tenant (the UPDATE takes its row lock) and lets `verify`
notice a deleted tail.
"""

import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import AuditEvent, Tenant

GENESIS = "0" * 64
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


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(fields: dict) -> str:
    body = {k: fields[k] for k in _CHAINED}
    body["at"] = _stamp(body["at"])
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def append(
    session: AsyncSession,
    *,
    tenant_id: str,
    at: datetime,
    actor: str,
    verb: str,
    actor_side: str | None = None,
    alert: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    details: dict | None = None,
) -> AuditEvent:
    bump = (
        update(Tenant)
        .where(Tenant.id == tenant_id)
        .values(audit_seq=Tenant.audit_seq + 1)
        .returning(Tenant.audit_seq, Tenant.audit_head)
    )
    seq, head = (await session.execute(bump)).one()
    fields = {
        "tenant_id": tenant_id,
        "seq": seq,
        "at": at,
        "actor": actor,
        "actor_side": actor_side,
        "verb": verb,
        "alert": alert,
        "from_status": from_status,
        "to_status": to_status,
        "details": details or {},
        "prev_hash": head or GENESIS,
    }
    fields["hash"] = event_hash(fields)
    row = AuditEvent(**fields)
    session.add(row)
    await session.execute(
        update(Tenant).where(Tenant.id == tenant_id).values(audit_head=fields["hash"])
    )
    return row


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


def _check(row: dict, expected_seq: int, prev: str) -> str | None:
    if row["seq"] != expected_seq:
        return f"is out of sequence (expected #{expected_seq}): events are missing"
    if row["prev_hash"] != prev:
        return "does not link to the event before it"
    if event_hash(row) != row["hash"]:
        return "has been altered: its hash does not match its contents"
    return None


EXPORTED = (*_CHAINED, "hash")


async def events(
    db: Database, tenant_id: str, since: datetime | None = None
) -> AsyncIterator[dict]:
    """A tenant's events in sequence order, streamed in batches."""
    stmt = select(*(getattr(AuditEvent, k) for k in EXPORTED)).where(
        AuditEvent.tenant_id == tenant_id
    )
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    stmt = stmt.order_by(AuditEvent.seq).execution_options(yield_per=5000)
    async with db.engine.connect() as conn:
        result = await conn.stream(stmt)
        async for part in result.mappings().partitions():
            for row in part:
                yield row


async def _verify_tenant(db: Database, tenant: Tenant) -> tuple[int, Break | None]:
    prev, seq = GENESIS, 0
    async for row in events(db, tenant.id):
        seq += 1
        reason = _check(row, seq, prev)
        if reason:
            return seq, Break(tenant.id, row["seq"], reason)
        prev = row["hash"]
    if seq != tenant.audit_seq or prev != (tenant.audit_head or GENESIS):
        return seq, Break(tenant.id, seq + 1, "is missing: the log ends before its recorded head")
    return seq, None


async def verify(db: Database, tenant_id: str | None = None) -> Verification:
    async with db.transaction() as session:
        query = select(Tenant).order_by(Tenant.id)
        if tenant_id:
            query = query.where(Tenant.id == tenant_id)
        tenants = (await session.execute(query)).scalars().all()
    checked = 0
    for tenant in tenants:
        count, broken = await _verify_tenant(db, tenant)
        checked += count
        if broken:
            return Verification(checked, broken)
    return Verification(checked, None)
