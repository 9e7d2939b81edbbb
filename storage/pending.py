"""Audit events and outbox rows that a unit of work holds until its transaction ends.

Every change appends an audit event (two statements: bump the tenant's chain, insert)
and an outbox row per channel (a third statement). A unit of work holds them instead
(`UnitOfWork.audit`, `UnitOfWork.outbox`), and `Pending.write` writes them together,
right before the COMMIT of the transaction they belong to: on SQLite, where the units
of a write group share one transaction, once per group (storage/write_group.py), so
each command pays only for its own change; on PostgreSQL at the end of each unit
(storage/db.py), which also takes the tenant's chain lock as late as possible. Either
way they commit with the change they record, or not at all.
"""

from dataclasses import dataclass, field

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import chain, json_rows
from storage.models import table_of
from storage.outbox_models import Outbox

_INSERT_OUTBOX = insert(table_of(Outbox))


@dataclass
class Pending:
    events: dict[str, list[dict]] = field(default_factory=dict)  # by tenant, in order
    outbox: list[dict] = field(default_factory=list)

    def absorb(self, other: "Pending") -> None:
        for tenant_id, entries in other.events.items():
            self.events.setdefault(tenant_id, []).extend(entries)
        self.outbox.extend(other.outbox)

    async def write(self, conn: AsyncConnection) -> None:
        """Insert the outbox rows and chain each tenant's events, then hold nothing.
        The chain goes last: it locks the tenant's row until the commit."""
        await json_rows.insert_all(conn, _INSERT_OUTBOX, self.outbox)
        for tenant_id, entries in self.events.items():
            await chain.write(conn, tenant_id, entries)
        self.events, self.outbox = {}, []
