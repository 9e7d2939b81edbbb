"""What a failed send does to its outbox rows: wait and retry (`defer`), keep them as
failed until an operator re-queues them (`give_up`), or keep a lane's lease while a long
run of paced notes is still going out (`extend`). Each is one short transaction."""

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col

from storage.db import Database
from storage.outbox import ERROR_LIMIT, CardWork
from storage.outbox_models import Outbox


async def extend(db: Database, work: CardWork, ids: list[int], until: datetime) -> None:
    """Keep the lease while a long run of paced notes is still being posted."""
    async with db.unit() as uow:
        session = await uow.session()
        await session.execute(update(Outbox).where(col(Outbox.id).in_(ids)).values(due_at=until))
    work.leased_until = until


async def defer(db: Database, ids: list[int], until: datetime, error: str,
                count: bool) -> None:
    """Retry later; `count` adds an attempt (rate limits are waits, not failures)."""
    values: dict = {"due_at": until, "last_error": error[:ERROR_LIMIT], "leased_by": None}
    if count:
        values["attempts"] = col(Outbox.attempts) + 1
    async with db.unit() as uow:
        session = await uow.session()
        await session.execute(update(Outbox).where(col(Outbox.id).in_(ids)).values(**values))


async def give_up(db: Database, ids: list[int], error: str, now: datetime) -> None:
    """A permanent failure: keep the rows as failed, with the error, until retried."""
    async with db.unit() as uow:
        session = await uow.session()
        await session.execute(update(Outbox).where(col(Outbox.id).in_(ids)).values(
            failed_at=now, last_error=error[:ERROR_LIMIT], attempts=Outbox.attempts + 1,
            leased_by=None))
