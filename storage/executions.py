"""The executor worker's database side: finding due executions and leasing them.

An execution is workable when it is live (queued, launching or running) and due, or
when the dispatcher instance that leased it has stopped beating (the worker runs with
its process's outbox dispatcher, whose heartbeat says it is alive). A lease pushes
due_at out and names the instance, in one UPDATE fenced on what was read, so of
several replicas exactly one wins each execution. Leasing a queued execution moves
it to launching and counts the attempt, committed before the platform is called:
an execution later found launching, its lease lapsed, is in doubt (the call may have
reached the platform), and only a repeatable kind is launched again.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import Database
from storage.execution_models import LIVE, Execution
from storage.models import Alert, Remediation
from storage.outbox_models import OutboxInstance
from storage.results import rowcount


@dataclass(frozen=True)
class Leased:
    """An execution as leased, and the status it was found in (queued means this lease
    begins its first launch; launching means an earlier launch is in doubt)."""

    execution: Execution
    found: str


def _workable(now: datetime, alive_since: datetime):
    """Live, and due, or leased by an instance that stopped beating."""
    live_holder = exists().where(col(OutboxInstance.id) == Execution.leased_by,
                                 col(OutboxInstance.beat_at) >= alive_since)
    return and_(col(Execution.status).in_(LIVE),
                or_(col(Execution.due_at) <= now,
                    and_(col(Execution.leased_by).is_not(None), ~live_holder)))


async def due(db: Database, now: datetime, alive_since: datetime, limit: int) -> list[int]:
    """Ids of workable executions, the longest due first."""
    query = (select(col(Execution.id)).where(_workable(now, alive_since))
             .order_by(col(Execution.due_at)).limit(limit))
    async with db.read() as session:
        return list((await session.execute(query)).scalars())


async def lease(db: Database, execution_id: int, now: datetime, until: datetime,
                instance: str, alive_since: datetime) -> Leased | None:
    """Lease one execution for `instance`, or None when another has it or it is done."""
    async with db.unit() as uow:
        session = await uow.session()
        row = (await session.execute(
            select(Execution).where(col(Execution.id) == execution_id,
                                    _workable(now, alive_since))
            .with_for_update(skip_locked=True))).scalar_one_or_none()
        if row is None:
            return None
        found = row.status
        values: dict = {"due_at": until, "leased_by": instance}
        if found == "queued":
            values |= {"status": "launching", "attempts": row.attempts + 1,
                       "started_at": row.started_at or now}
        elif found == "launching":
            values["attempts"] = row.attempts + 1
        fenced = update(Execution).where(col(Execution.id) == row.id,
                                         col(Execution.status) == found,
                                         col(Execution.due_at) == row.due_at)
        if rowcount(await session.execute(
                fenced.values(**values).execution_options(synchronize_session=False))) != 1:
            return None
        session.expunge(row)
    for name, value in values.items():  # as stored now, without reading it back
        setattr(row, name, value)
    return Leased(row, found)


async def live_for(session: AsyncSession, alert_id: int) -> Execution | None:
    """The alert's latest execution (live or not)."""
    query = (select(Execution).where(col(Execution.alert_id) == alert_id)
             .order_by(col(Execution.id).desc()).limit(1))
    return (await session.execute(query)).scalar_one_or_none()


async def latest_fix(session: AsyncSession,
                     alert_id: int) -> tuple[Remediation | None, Execution | None]:
    """The alert's latest fix and that fix's latest execution, in one statement (a card
    never shows a fix with an execution of another moment)."""
    query = (select(Remediation, Execution)
             .outerjoin(Execution, col(Execution.remediation_id) == Remediation.id)
             .where(col(Remediation.alert_id) == alert_id)
             .order_by(col(Remediation.id).desc(), col(Execution.id).desc()).limit(1))
    found = (await session.execute(query)).first()
    return (found[0], found[1]) if found else (None, None)


async def mine(session: AsyncSession, execution_id: int, instance: str) -> Execution | None:
    """The execution, locked, if `instance` still holds its lease (a lease lost to a
    takeover must not record anything)."""
    row = (await session.execute(
        select(Execution).where(col(Execution.id) == execution_id,
                                col(Execution.leased_by) == instance)
        .with_for_update().execution_options(populate_existing=True))).scalar_one_or_none()
    return row


def release_at(row: Execution, when: datetime) -> None:
    """Give the lease back; the worker looks again at `when`."""
    row.due_at, row.leased_by = when, None


async def touch_alert(session: AsyncSession, alert_id: int) -> None:
    """Move the alert's version on: its card shows the execution, so it is re-rendered."""
    await session.execute(update(Alert).where(col(Alert.id) == alert_id)
                          .values(version=Alert.version + 1))
