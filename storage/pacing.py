"""Each chat channel's send schedule, one row shared by every replica.

`reserve` reads the row under a lock, with the database's clock, and stores what the
caller's `step` makes of it, in one short transaction: replicas that reserve sends
into one channel at once take turns, so together they never send faster than the
schedule allows. What the schedule means is the caller's business (bot/outbox/pacing.py).
"""

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import Database
from storage.models import table_of
from storage.outbox_models import ChannelPace

R = TypeVar("R")
# (next_at, held_until, now) -> (next_at, held_until, result), all in epoch seconds
Step = Callable[[float, float, float], tuple[float, float, R]]

_NOW = {
    "postgresql": text("SELECT extract(epoch FROM clock_timestamp())::float8"),
    "sqlite": text("SELECT (julianday('now') - 2440587.5) * 86400.0"),
}


def _create(insert):
    return insert(table_of(ChannelPace)).values(next_at=0.0, held_until=0.0) \
        .on_conflict_do_nothing(index_elements=["platform", "channel"])


_CREATE = {"postgresql": _create(postgresql.insert), "sqlite": _create(sqlite.insert)}


async def _now(session: AsyncSession) -> float:
    return float((await session.execute(_NOW[session.get_bind().dialect.name])).scalar_one())


async def reserve(db: Database, platform: str, channel: str, step: Step[R]) -> R:
    """Apply `step` to the channel's schedule atomically; its result."""
    async with db.unit() as uow:
        session = await uow.session()
        dialect = session.get_bind().dialect.name
        await session.execute(_CREATE[dialect], {"platform": platform, "channel": channel})
        row = (await session.execute(
            select(ChannelPace).where(col(ChannelPace.platform) == platform,
                                      col(ChannelPace.channel) == channel)
            .with_for_update())).scalar_one()
        row.next_at, row.held_until, result = step(row.next_at, row.held_until,
                                                   await _now(session))
    return result
