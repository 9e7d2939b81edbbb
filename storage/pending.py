"""Audit events and outbox rows that a unit of work holds until it ends.

Every change appends an audit event (two statements: bump the tenant's chain, insert)
and an outbox row per channel (a third statement). A unit of work holds
them instead and they are written together when it ends, in its transaction: on
SQLite, where the units of a write group share one transaction, once per group just
before the shared COMMIT, so each command pays only for its own change; on PostgreSQL
at the end of each unit, which also takes the tenant's chain lock as late as possible.
Either way they commit with the change they record, or not at all.
"""

from dataclasses import dataclass, field

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage import chain, json_rows
from storage.models import Outbox

_KEY = "tandem.pending"
_INSERT_OUTBOX = insert(Outbox.__table__)


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


def hold(session: AsyncSession, held: Pending) -> None:
    """Give a unit of work's session somewhere to hold its writes."""
    session.info[_KEY] = held


def _of(session: AsyncSession) -> Pending:
    try:
        return session.info[_KEY]
    except KeyError:
        raise RuntimeError("audit events and outbox rows are written in a unit of work "
                           "(Database.transaction())") from None


def audit_events(session: AsyncSession, tenant_id: str, entries: list[dict]) -> None:
    """Append events to a tenant's audit chain: each entry holds at, actor, verb and
    optionally actor_side, alert, from_status, to_status and details."""
    _of(session).events.setdefault(tenant_id, []).extend(entries)


def outbox(session: AsyncSession, rows: list[dict]) -> None:
    """Queue outbox rows (as `handlers.fanout.outbox_row` makes them)."""
    _of(session).outbox.extend(rows)


async def flush(session: AsyncSession) -> None:
    """Write what the unit holds so far, as `session.flush()` does for ORM changes,
    for a unit that reads its own audit events or outbox rows back."""
    await _of(session).write(await session.connection())
