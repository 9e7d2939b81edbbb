"""Appending to the tamper-evident audit log: a per-tenant sequence chained by SHA-256.

hash = SHA-256 over the canonical JSON (sorted keys, no spaces; see storage/canonical.py)
of the event's fields including prev_hash. The tenant row holds the chain's sequence
and head, which both serialises appends per tenant (bumping the sequence takes its row
lock) and lets `storage.audit.verify` notice a deleted tail; a trigger moves the head to
each inserted event's hash (migration 0005).
"""

import hashlib
from collections.abc import Mapping
from datetime import datetime
from operator import itemgetter

from sqlalchemy import bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import canonical, json_rows
from storage.models import AuditEvent, Tenant, table_of

GENESIS = "0" * 64
CHAINED = (
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
_chained = itemgetter(*CHAINED)


def stamp(at: datetime) -> str:
    """2026-11-20T14:02:00.000000Z: strftime's "%Y-%m-%dT%H:%M:%S.%fZ", done faster."""
    return at.isoformat(timespec="microseconds")[:26] + "Z"


def digest(body: dict) -> str:
    """The hash of an event given its CHAINED fields, "at" already stamped."""
    return hashlib.sha256(canonical.dumps(body)).hexdigest()


def event_hash(fields: Mapping) -> str:
    body = dict(zip(CHAINED, _chained(fields), strict=True))
    body["at"] = stamp(body["at"])
    return digest(body)


_OPTIONAL = {"actor_side": None, "alert": None, "from_status": None, "to_status": None}
_TENANT, _EVENTS = table_of(Tenant), table_of(AuditEvent)
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
    """Append a batch of one tenant's events (see `storage.unit.UnitOfWork.audit`) in
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
