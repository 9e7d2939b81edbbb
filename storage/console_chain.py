"""An alert's events checked against the audit chain, for the console's timeline.

Each event must re-hash to its stored hash and link to the event before it in its
tenant's chain (GENESIS for the first); the events before them are read in one query.
This vouches for the alert's own events and their links, not for the whole chain, which
`storage.audit.verify` walks.
"""

from collections.abc import Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.chain import CHAINED, GENESIS, event_hash
from storage.models import AuditEvent

ALTERED = "has been altered: its hash does not match its contents"
UNLINKED = "does not link to the event before it"
ORPHANED = "follows an event that is missing from the log"

_HASHES = select(col(AuditEvent.seq), col(AuditEvent.hash)).where(
    col(AuditEvent.tenant_id) == bindparam("tenant"),
    col(AuditEvent.seq).in_(bindparam("seqs", expanding=True)))


def _problem(event: AuditEvent, before: str | None) -> str | None:
    if event_hash({name: getattr(event, name) for name in CHAINED}) != event.hash:
        return ALTERED
    if before is None:
        return ORPHANED
    return None if event.prev_hash == before else UNLINKED


async def check(session: AsyncSession, tenant_id: str,
                events: Sequence[AuditEvent]) -> dict[int, str | None]:
    """Each event's seq and what is wrong with it (None: it is intact and linked)."""
    wanted = sorted({e.seq - 1 for e in events if e.seq > 1})
    found = await session.execute(_HASHES, {"tenant": tenant_id, "seqs": wanted})
    before = dict(found.all()) | {0: GENESIS}
    return {e.seq: _problem(e, before.get(e.seq - 1)) for e in events}
