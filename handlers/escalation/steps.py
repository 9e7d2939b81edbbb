"""The escalation tick: take every due step once, however many processes tick.

A tick reads a batch of due alerts through the partial index
ix_alert_escalation_due (on PostgreSQL with FOR UPDATE SKIP LOCKED, so concurrent
ticks share the work instead of queueing), plans each alert's step, and moves all
their timers in ONE UPDATE fenced by the generation each alert had when it was
read. Only the rows that UPDATE returns get their ping, audit event and card
refresh, in the same transaction: an alert claimed, escalated or ticked by
someone else in between has a new generation, so its step is not taken twice.
The statements are storage/escalation.py's; the pings and audit events are held for
the end of the unit of work (storage/unit.py).
Snoozed alerts whose time has come are woken first.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers import fanout
from handlers.config.oncall import Step
from handlers.config.schema import TandemConfig
from handlers.escalation import pings, wakeups
from handlers.escalation import policy as P
from handlers.escalation.timers import (
    Escalating,
    covers_now,
    fallback_entry,
    running,
    take_step,
    target,
)
from storage import escalation
from storage.unit import Session, Store, UnitOfWork

BATCH = 200


@dataclass(frozen=True)
class Plan:
    alert: Escalating  # an Alert, or a row of storage.escalation.READ columns
    step: Step | None  # None: nothing (more) to do, the timer is cleared
    level: int  # the level once the step is taken
    due: datetime | None  # the timer after this tick


def plan(cfg: TandemConfig, alert: Escalating, now: datetime) -> Plan:
    policy = P.policy_for(cfg.tenant(alert.tenant_id), alert.severity)
    level = alert.escalation_level
    step = P.step_at(policy, level) if policy and running(alert) else None
    # a due timer is set (storage.escalation.due_timers reads only those)
    if policy is None or step is None or alert.next_escalation_at is None:
        return Plan(alert, None, level, None)
    return Plan(alert, step, level + 1, P.next_due(policy, level + 1, alert.next_escalation_at,
                                                      now))


async def fence(session: Session, plans: list[Plan]) -> set[int]:
    """Move every planned timer whose generation is unchanged; returns the alert ids moved.

    The selection locked these rows (SKIP LOCKED on PostgreSQL, the write lock on
    SQLite), so the check should always pass; it stays so that the generation, not
    the locking, is what proves a step is taken once.
    """
    if not plans:
        return set()
    # a step changes the card (its level); clearing a stale timer does not
    return await escalation.move_timers(session, [
        (p.alert.id, p.alert.escalation_generation, p.level, p.due, int(p.step is not None))
        for p in plans])


def _ping(cfg: TandemConfig, p: Plan, step: Step, email: str | None, now: datetime,
          teams: frozenset[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The audit entries (ping, and ping.fallback if a DM became a mention) and outbox
    rows of one step."""
    alert = p.alert
    details, rows, fallback = take_step(cfg, alert, p.level - 1, step, email, now, teams)
    entry = {"at": now, "actor": pings.SYSTEM_ACTOR, "verb": "ping", "alert": alert.short_id,
             "from_status": alert.status, "to_status": alert.status, "details": details}
    return [entry, *([fallback_entry(alert, fallback, now)] if fallback else [])], rows


async def _take(uow: UnitOfWork, session: Session, cfg: TandemConfig,
                taken: list[tuple[Plan, Step]], now: datetime) -> None:
    """Ping, audit and refresh the card of every step taken, tenant by tenant."""
    rows: list[dict[str, Any]] = []
    teams = await pings.teams_known(session, cfg.people) if taken else frozenset()
    for tenant_id in sorted({p.alert.tenant_id for p, _ in taken}):
        tenant = cfg.known_tenant(tenant_id)
        found = await covers_now(session, tenant_id, now)
        who: dict[str, str | None] = {}  # everyone in the batch shares the same on-call
        entries = []
        for p, step in ((p, s) for p, s in taken if p.alert.tenant_id == tenant_id):
            if step.notify not in who:
                who[step.notify] = target(tenant, step, found, now)
            logged, pinged = _ping(cfg, p, step, who[step.notify], now, teams)
            entries += logged
            rows += pinged
            details = logged[0]["details"]
            note = f"Escalation step {details['step']}: notified {details['to'] or 'the channel'}"
            rows += fanout.card_rows(tenant, p.alert, now, note)
        uow.audit(tenant_id, entries)
    uow.outbox(rows)


async def _batch(uow: UnitOfWork, cfg: TandemConfig, now: datetime,
                 size: int) -> tuple[int, int]:
    session = await uow.session()
    due = await escalation.due_timers(session, now, size)
    plans = [plan(cfg, alert, now) for alert in due]
    moved = await fence(session, plans)
    taken = [(p, p.step) for p in plans if p.step is not None and p.alert.id in moved]
    await _take(uow, session, cfg, taken, now)
    return len(taken), len(due)


async def tick(db: Store, cfg: TandemConfig, now: datetime, size: int = BATCH) -> int:
    """Wake snoozed alerts that are due, then take every due step; returns steps taken."""
    await wakeups.wake_due(db, cfg, now, size)
    taken = 0
    while True:
        async with db.unit() as uow:
            done, seen = await _batch(uow, cfg, now, size)
        taken += done
        if seen < size:
            return taken
