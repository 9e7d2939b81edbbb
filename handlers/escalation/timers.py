"""Escalation timers: arming them, taking a step, and the Escalate button.

The timer is the alert's `next_escalation_at`; `escalation_generation` is its
fencing token, bumped by whatever moves the timer (see steps.py).
"""

from datetime import datetime, timedelta
from typing import Any, Protocol

from handlers.config.oncall import CHANNEL, ON_CALL, Step
from handlers.config.schema import Person, TandemConfig
from handlers.config.schema import Tenant as TenantConfig
from handlers.enums import Status
from handlers.escalation import pings
from handlers.escalation import policy as P
from handlers.fanout import Posted
from handlers.oncall import overrides
from handlers.oncall.schedule import Cover, layer_duty, on_call
from storage.models import Alert
from storage.unit import Session, UnitOfWork


class Escalating(Posted, Protocol):
    """What taking a step reads of an alert: a stored Alert, or a row of the tick's
    columns (storage.escalation.READ)."""

    @property
    def short_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def owner_email(self) -> str | None: ...
    @property
    def escalation_level(self) -> int: ...
    @property
    def escalation_generation(self) -> int: ...
    @property
    def next_escalation_at(self) -> datetime | None: ...
    @property
    def source_acknowledged_at(self) -> datetime | None: ...


def running(alert: Escalating) -> bool:
    """The policy runs while the alert is open, unclaimed and not acknowledged at its
    source (a source's acknowledge pauses it until the source triggers it again)."""
    return (alert.status == Status.OPEN and alert.owner_email is None
            and alert.source_acknowledged_at is None)


def arm(cfg: TandemConfig, alert: Alert, now: datetime) -> None:
    """Set the timer for the alert's next step, or clear it when nothing should run."""
    policy = P.policy_for(cfg.tenant(alert.tenant_id), alert.severity)
    due = P.due_after(policy, alert.escalation_level, now) if policy else None
    alert.next_escalation_at = due if running(alert) else None
    alert.escalation_generation = (alert.escalation_generation or 0) + 1


def restart(cfg: TandemConfig, alert: Alert, now: datetime) -> None:
    """A new or reopened alert runs its policy from the first step, unacknowledged."""
    alert.escalation_level, alert.source_acknowledged_at = 0, None
    arm(cfg, alert, now)


def target(tenant: TenantConfig, step: Step, found: list[Cover], at: datetime) -> str | None:
    """The email of whoever `step` names at `at` (None: nobody is on call)."""
    if step.notify in (ON_CALL, CHANNEL):
        return on_call(tenant, found, at).email
    if step.notify.startswith(f"{ON_CALL}:"):
        name = step.notify.removeprefix(f"{ON_CALL}:")
        layer = next(layer for layer in tenant.schedules if layer.name == name)
        return layer_duty(tenant, layer, found, at).email
    return step.notify


def _texts(tenant: TenantConfig, alert: Escalating, step: Step,
           who: Person | None) -> tuple[str, str | pings.Named]:
    """The direct message, and the channel message, which mentions `who` for real."""
    subject = f"{alert.short_id} ({alert.severity}) is unclaimed: {alert.title}."
    if step.notify.startswith(ON_CALL):
        direct = f"{subject} You are on call for {tenant.name}: please claim it or hand it on."
    else:
        direct = f"{subject} {tenant.name}'s escalation policy calls on you: please find an owner."
    if who is None:
        return direct, f"{subject} Nobody is on call right now; can someone claim it?"
    return direct, pings.Named(f"{subject} ", who, ", you are on call: please claim it.")


def take_step(cfg: TandemConfig, alert: Escalating, level: int, step: Step, email: str | None,
              now: datetime, teams: frozenset[str] | None = None
              ) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any] | None]:
    """The outbox rows notifying `email` for `step`, the details to audit, and the
    details of a ping.fallback event when a Teams DM became a channel mention."""
    tenant = cfg.known_tenant(alert.tenant_id)
    who = cfg.person(email)
    direct, mention = _texts(tenant, alert, step, who)
    if step.notify == CHANNEL:
        reached = pings.Reached(who.email if who else None, ("channel",))
        rows = pings.in_channels(tenant, alert, mention, now)
    else:
        reached, rows = pings.reach(tenant, alert, who, direct, mention, now, teams)
    policy = P.policy_for(tenant, alert.severity)
    if policy is None:  # the caller took `step` from this policy
        raise LookupError(f"{alert.short_id} has no escalation policy")
    size = len(policy.steps)
    details = {"level": level + 1, "step": level % size + 1, "round": level // size + 1,
               "notify": step.notify, **reached.audit()}
    return details, rows, reached.fallback_event()


def fallback_entry(alert: Escalating, details: dict[str, Any], at: datetime) -> dict[str, Any]:
    """The ping.fallback audit event: a DM that could not be sent became a mention."""
    return {"at": at, "actor": pings.SYSTEM_ACTOR, "verb": "ping.fallback",
            "alert": alert.short_id, "from_status": alert.status, "to_status": alert.status,
            "details": details}


async def covers_now(session: Session, tenant_id: str, now: datetime) -> list[Cover]:
    return await overrides.covers(session, tenant_id, now, timedelta(seconds=1))


async def jumped(
    uow: UnitOfWork, cfg: TandemConfig, alert: Alert, now: datetime
) -> dict[str, Any]:
    """The Escalate button raised the level: take the step it skipped to now.

    While the policy runs, the step the timer was waiting for is taken at once and
    the timer moves on; otherwise (claimed, or just handed to a side) the timer is
    re-armed from the new level. Returns details for the escalate audit event.
    """
    policy = P.policy_for(cfg.tenant(alert.tenant_id), alert.severity)
    step = P.step_at(policy, alert.escalation_level - 1) if policy else None
    if alert.next_escalation_at is None or step is None:
        arm(cfg, alert, now)
        return {}
    tenant = cfg.known_tenant(alert.tenant_id)
    session = await uow.session()
    with session.no_autoflush:  # the command flushes once, so the version moves once
        found = await covers_now(session, alert.tenant_id, now)
        teams = await pings.teams_known(session, cfg.people)
        pinged, rows, fallback = take_step(cfg, alert, alert.escalation_level - 1, step,
                                           target(tenant, step, found, now), now, teams)
        uow.outbox(rows)
        if fallback:
            uow.audit(alert.tenant_id, [fallback_entry(alert, fallback, now)])
    arm(cfg, alert, now)
    return {"pinged": pinged}
