"""Silences, and the alerts they keep quiet.

An alert remembers the silence that keeps it quiet (`silenced_by`). When a silence
ends, its alerts are read in batches (on PostgreSQL with FOR UPDATE SKIP LOCKED) and
each is changed by an UPDATE fenced on the status and the silence it had when read,
so several replicas ticking move an alert once. Which status means "silenced" and
which one an alert comes back to are the domain's, and come as arguments.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Alert, Silence
from storage.results import rowcount


async def add(session: AsyncSession, tenant_id: str, matchers: dict[str, str], reason: str,
              created_by: str, starts_at: datetime, ends_at: datetime,
              every: str | None) -> Silence:
    """A new silence, written in the unit of work (so it has its id)."""
    silence = Silence(tenant_id=tenant_id, matchers=matchers, reason=reason,
                      created_by=created_by, starts_at=starts_at, ends_at=ends_at, every=every)
    session.add(silence)
    await session.flush()
    return silence


async def by_id(session: AsyncSession, silence_id: int) -> Silence | None:
    return await session.get(Silence, silence_id)


_UNENDED = select(Silence).where(
    col(Silence.tenant_id) == bindparam("tenant"), col(Silence.ends_at) > bindparam("at")
)


async def unended(session: AsyncSession, tenant_id: str, at: datetime) -> list[Silence]:
    """The tenant's silences in force or still to come at `at` (a weekly one between two
    windows too), oldest first."""
    found = await session.execute(_UNENDED, {"tenant": tenant_id, "at": at})
    return sorted(found.scalars(), key=lambda s: s.id)


async def holding(session: AsyncSession, silenced: str) -> list[Silence]:
    """Every silence that some alert in status `silenced` names as its silence."""
    query = select(Silence).where(
        exists().where(col(Alert.silenced_by) == Silence.id, col(Alert.status) == silenced))
    return list((await session.execute(query)).scalars().all())


async def held(session: AsyncSession, silence_ids: Sequence[int], silenced: str,
               size: int) -> list[Alert]:
    """Up to `size` alerts still `silenced` by one of these silences, locked, as stored now."""
    query = (
        select(Alert)
        .where(col(Alert.status) == silenced, col(Alert.silenced_by).in_(silence_ids))
        .order_by(col(Alert.id))
        .limit(size)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return list((await session.execute(query)).scalars())


def _fenced(alert_id: int, silence_id: int, silenced: str):
    return update(Alert).where(col(Alert.id) == alert_id, col(Alert.status) == silenced,
                               col(Alert.silenced_by) == silence_id)


async def bring_back(session: AsyncSession, alert_id: int, silence_id: int, silenced: str,
                     to: str, due: datetime | None, generation: int) -> bool:
    """Move an alert still `silenced` by `silence_id` to status `to`, its policy from the
    first step with the timer at `due` and its generation past `generation`; False
    when someone changed it first."""
    done = await session.execute(_fenced(alert_id, silence_id, silenced).values(
        status=to, silenced_by=None, escalation_level=0, next_escalation_at=due,
        escalation_generation=generation + 1, version=Alert.version + 1,
        state_version=Alert.state_version + 1))
    return rowcount(done) == 1


async def hand_over(session: AsyncSession, alert_id: int, silence_id: int, silenced: str,
                    other_id: int) -> None:
    """An alert still `silenced` by `silence_id` is kept quiet by `other_id` from now on."""
    await session.execute(_fenced(alert_id, silence_id, silenced).values(silenced_by=other_id))
