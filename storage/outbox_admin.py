"""Operator views of the outbox: what is undelivered, and re-queuing failed rows
(`tandem outbox list` and `tandem outbox retry`). The dispatcher's side is storage/outbox.py."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import col

from storage.db import Database
from storage.models import Alert
from storage.outbox_models import Outbox


@dataclass(frozen=True)
class Listed:
    """One undelivered row, as `tandem outbox list` shows it."""

    id: int
    tenant: str
    alert: str | None  # the alert's short id, for card rows
    platform: str
    channel: str
    kind: str
    attempts: int
    error: str
    failed: bool
    when: datetime  # failed at, or due at


async def undelivered(db: Database, failed_only: bool, limit: int) -> list[Listed]:
    """Rows not delivered (pending or failed), oldest first."""
    query = (select(Outbox, col(Alert.short_id)).outerjoin(Alert, col(Alert.id) == Outbox.alert_id)
             .where(col(Outbox.done_at).is_(None)).order_by(col(Outbox.id)).limit(limit))
    if failed_only:
        query = query.where(col(Outbox.failed_at).is_not(None))
    async with db.read() as session:
        found = (await session.execute(query)).all()
    return [Listed(row.id, row.tenant_id, short_id, row.platform, row.channel, row.kind,
                   row.attempts, row.last_error, row.failed_at is not None,
                   row.failed_at or row.due_at) for row, short_id in found]


async def retry(db: Database, ids: list[int] | None, now: datetime) -> list[int]:
    """Re-queue failed rows (`ids`, or every one with None), due now; their ids. A
    dispatcher's next poll picks them up; a lane's rows still render one card."""
    query = select(col(Outbox.id)).where(col(Outbox.done_at).is_(None),
                                         col(Outbox.failed_at).is_not(None))
    if ids is not None:
        query = query.where(col(Outbox.id).in_(ids))
    async with db.unit() as uow:
        session = await uow.session()
        chosen = list((await session.execute(query.with_for_update())).scalars())
        if chosen:
            await session.execute(update(Outbox).where(col(Outbox.id).in_(chosen)).values(
                failed_at=None, due_at=now, attempts=0, leased_by=None))
    return sorted(chosen)
