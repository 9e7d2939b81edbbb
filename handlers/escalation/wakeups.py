"""Snoozed alerts wake when snoozed_until passes: back to their owner, else open.

A woken open alert resumes its escalation policy from where it stood. Each
wake-up is one fenced UPDATE (status still snoozed, same snoozed_until), so
concurrent ticks wake an alert once; it is audited by the system actor.
"""

from datetime import datetime

from sqlalchemy import select, update

from handlers.config.schema import TandemConfig
from handlers.enums import Status
from handlers.escalation import policy as P
from handlers.escalation.pings import SYSTEM_ACTOR
from handlers.fanout import enqueue_card, record
from storage.models import Alert
from storage.unit import Session, Store, UnitOfWork


async def _wake(uow: UnitOfWork, session: Session, cfg: TandemConfig, alert: Alert,
                now: datetime) -> bool:
    until, generation = alert.snoozed_until, alert.escalation_generation
    if alert.status != Status.SNOOZED:  # claimed or reassigned while snoozed: just tidy up
        tidy = update(Alert).where(Alert.id == alert.id, Alert.snoozed_until == until)
        await session.execute(tidy.values(snoozed_until=None))
        return False
    to = Status.CLAIMED if alert.owner_email else Status.OPEN
    policy = P.policy_for(cfg.tenant(alert.tenant_id), alert.severity)
    due = P.due_after(policy, alert.escalation_level, now) if policy and to == Status.OPEN else None
    done = await session.execute(
        update(Alert)
        .where(Alert.id == alert.id, Alert.status == Status.SNOOZED, Alert.snoozed_until == until)
        .values(status=to, snoozed_until=None, next_escalation_at=due,
                escalation_generation=generation + 1, version=Alert.version + 1,
                state_version=Alert.state_version + 1)
    )
    if done.rowcount != 1:
        return False
    record(uow, alert, at=now, actor=SYSTEM_ACTOR, verb="woke",
           from_status=Status.SNOOZED, to_status=to,
           details={"snoozed_until": until.isoformat()})
    enqueue_card(uow, cfg, alert, now, note="Snooze ended")
    return True


async def wake_due(db: Store, cfg: TandemConfig, now: datetime, size: int) -> int:
    """Wake every snoozed alert whose time has come; returns how many woke."""
    woken = 0
    while True:
        async with db.unit() as uow:
            session = await uow.session()
            query = (
                select(Alert)
                .where(Alert.snoozed_until.is_not(None), Alert.snoozed_until <= now)
                .order_by(Alert.snoozed_until)
                .limit(size)
                .with_for_update(skip_locked=True)
                .execution_options(populate_existing=True)
            )
            due = (await session.execute(query)).scalars().all()
            for alert in due:
                woken += await _wake(uow, session, cfg, alert, now)
        if len(due) < size:
            return woken
