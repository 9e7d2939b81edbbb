"""The outbox_instance table: which dispatchers are alive, by their last heartbeat.

bot/outbox/heartbeat.py beats through these; storage/outbox.py's leases record the
instance that holds them.
"""

from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import col

from storage.db import Database
from storage.outbox_models import OutboxInstance
from storage.results import rowcount


async def beat(db: Database, instance: str, now: datetime, dead_before: datetime) -> None:
    """Record that `instance` is alive at `now`, and forget instances silent since
    before `dead_before` (a lease of one with no row is as free as a stale one)."""
    async with db.unit() as uow:
        session = await uow.session()
        await session.execute(delete(OutboxInstance).where(
            col(OutboxInstance.beat_at) < dead_before, col(OutboxInstance.id) != instance))
        found = await session.execute(update(OutboxInstance).where(
            col(OutboxInstance.id) == instance).values(beat_at=now))
        if rowcount(found) == 0:
            session.add(OutboxInstance(id=instance, started_at=now, beat_at=now))


async def drop(db: Database, instance: str) -> None:
    """The instance stops: its leases are free for others at once."""
    async with db.unit() as uow:
        session = await uow.session()
        await session.execute(delete(OutboxInstance).where(col(OutboxInstance.id) == instance))
