"""What the outbox holds, for /metrics: one GROUP BY over the undelivered rows, read at
scrape time (the ix_outbox_pending index keeps it to the rows not yet done)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select, type_coerce
from sqlmodel import col

from storage.db import Database
from storage.outbox_models import Outbox
from storage.types import UTCDateTime


@dataclass(frozen=True)
class Backlog:
    """The undelivered rows of one platform and kind."""

    platform: str
    kind: str
    pending: int  # waiting for delivery (due or deferred), not failed
    failed: int  # refused for good, kept until `tandem outbox retry`
    oldest_due: datetime | None  # due_at of the oldest pending row due by `now`


async def backlog(db: Database, now: datetime) -> list[Backlog]:
    """Every (platform, kind) with undelivered rows."""
    failed = col(Outbox.failed_at).is_not(None)
    due = case((col(Outbox.failed_at).is_(None) & (col(Outbox.due_at) <= now),
                col(Outbox.due_at)))
    query = (
        select(col(Outbox.platform), col(Outbox.kind),
               func.count().label("rows"), func.count(case((failed, 1))).label("failed"),
               func.min(type_coerce(due, UTCDateTime())).label("oldest_due"))
        .where(col(Outbox.done_at).is_(None))
        .group_by(col(Outbox.platform), col(Outbox.kind))
        .order_by(col(Outbox.platform), col(Outbox.kind))
    )
    async with db.read() as session:
        found = (await session.execute(query)).all()
    return [Backlog(r.platform, r.kind, r.rows - r.failed, r.failed, r.oldest_due)
            for r in found]
