"""The escalation tick's and the snooze wake-ups' statements.

Both read a batch of due alerts through a partial index (ix_alert_escalation_due,
ix_alert_snooze_due) on PostgreSQL with FOR UPDATE SKIP LOCKED, so concurrent ticks
share the work instead of queueing, and change each alert with an UPDATE fenced on what
was read, so an alert changed by someone else in between is left alone. The timer
UPDATE binds the whole batch as one parameter (storage/json_rows.py), so its cost in
Python does not grow with the batch.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Integer, Row, column, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.json_rows import rows_table
from storage.models import Alert, table_of
from storage.results import rowcount
from storage.types import UTCDateTime

_ALERT = table_of(Alert)
# What a step needs of an alert; rows with these attributes stand in for Alert objects.
READ = ("id", "tenant_id", "short_id", "title", "severity", "status", "owner_email",
        "channels", "escalation_level", "escalation_generation", "next_escalation_at",
        "source_acknowledged_at")


async def due_timers(session: AsyncSession, now: datetime, size: int) -> Sequence[Row]:
    """Up to `size` alerts whose timer is due, soonest first, locked, as rows of READ."""
    query = (
        select(*(_ALERT.c[name] for name in READ))
        .where(_ALERT.c.next_escalation_at.is_not(None), _ALERT.c.next_escalation_at <= now)
        .order_by(_ALERT.c.next_escalation_at)
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(query)).all()


# One row per alert: the generation it was read at, and the timer's new state.
_FENCE = (column("id", Integer), column("generation", Integer), column("level", Integer),
          column("due", UTCDateTime()), column("bump", Integer))


async def move_timers(session: AsyncSession,
                      moves: Sequence[tuple[int, int, int, datetime | None, int]]) -> set[int]:
    """Set each alert's level and timer, in ONE UPDATE, where its generation is still the
    one given; returns the alert ids moved. `moves` are (alert id, generation read,
    level, due, bump): a bump of 1 moves the version on too (the card shows the level)."""
    new = rows_table(session.get_bind().dialect, "planned", _FENCE, moves)
    moved = await session.execute(
        update(_ALERT)
        .where(_ALERT.c.id == new.c.id, _ALERT.c.escalation_generation == new.c.generation)
        .values(escalation_level=new.c.level,
                next_escalation_at=new.c.due,
                escalation_generation=_ALERT.c.escalation_generation + 1,
                version=_ALERT.c.version + new.c.bump)
        .returning(_ALERT.c.id)
    )
    return set(moved.scalars())


async def due_wakeups(session: AsyncSession, now: datetime, size: int) -> list[Alert]:
    """Up to `size` alerts whose snooze has run out, soonest first, locked, as stored now."""
    query = (
        select(Alert)
        .where(col(Alert.snoozed_until).is_not(None), col(Alert.snoozed_until) <= now)
        .order_by(col(Alert.snoozed_until))
        .limit(size)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return list((await session.execute(query)).scalars().all())


async def forget_snooze(session: AsyncSession, alert_id: int, until: datetime) -> None:
    """Clear a snooze that no longer holds the alert, if it is still the one read."""
    tidy = update(Alert).where(col(Alert.id) == alert_id, col(Alert.snoozed_until) == until)
    await session.execute(tidy.values(snoozed_until=None))


async def wake(session: AsyncSession, alert_id: int, until: datetime, snoozed: str, to: str,
               due: datetime | None, generation: int) -> bool:
    """Move an alert still `snoozed` until `until` to status `to`, with its timer at `due`
    and its generation past `generation`; False when someone changed it first."""
    done = await session.execute(
        update(Alert)
        .where(col(Alert.id) == alert_id, col(Alert.status) == snoozed,
               col(Alert.snoozed_until) == until)
        .values(status=to, snoozed_until=None, next_escalation_at=due,
                escalation_generation=generation + 1, version=Alert.version + 1,
                state_version=Alert.state_version + 1)
    )
    return rowcount(done) == 1
