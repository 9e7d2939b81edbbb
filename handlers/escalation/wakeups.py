"""Snoozed alerts wake when snoozed_until passes: back to their owner, else open.

A woken open alert resumes its escalation policy from where it stood. Each
wake-up is one fenced UPDATE (status still snoozed, same snoozed_until), so
concurrent ticks wake an alert once; it is audited by the system actor.
"""

from datetime import datetime

from handlers.config.schema import TandemConfig
from handlers.enums import Status
from handlers.escalation import policy as P
from handlers.escalation.pings import SYSTEM_ACTOR
from handlers.fanout import enqueue_card, record
from storage import escalation
from storage.models import Alert
from storage.unit import Session, Store, UnitOfWork


async def _wake(uow: UnitOfWork, session: Session, cfg: TandemConfig, alert: Alert,
                now: datetime) -> bool:
    until, generation = alert.snoozed_until, alert.escalation_generation
    if until is None:  # due_wakeups reads only alerts with a snooze
        raise RuntimeError(f"{alert.short_id} is woken but was not snoozed")
    if alert.status != Status.SNOOZED:  # claimed or reassigned while snoozed: just tidy up
        await escalation.forget_snooze(session, alert.id, until)
        return False
    to = Status.CLAIMED if alert.owner_email else Status.OPEN
    policy = P.policy_for(cfg.tenant(alert.tenant_id), alert.severity)
    due = P.due_after(policy, alert.escalation_level, now) if policy and to == Status.OPEN else None
    if not await escalation.wake(session, alert.id, until, Status.SNOOZED, to, due, generation):
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
            due = await escalation.due_wakeups(session, now, size)
            for alert in due:
                woken += await _wake(uow, session, cfg, alert, now)
        if len(due) < size:
            return woken
