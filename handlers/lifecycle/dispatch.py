"""A command runs as one unit of work: policy, transition, audit, outbox.

`execute` opens the unit and runs it again when a concurrent writer won the race or
the database had dropped the connection; `dispatch` is the command inside a unit the
caller owns (handlers never commit). Refusals are written to the audit log too, so
the log shows who tried what and why it was refused.
"""

from datetime import UTC, datetime
from typing import Any

from handlers import significant as significance
from handlers.commands import Command, Outcome, Result
from handlers.config.schema import TandemConfig
from handlers.enums import Status, Verb
from handlers.fanout import enqueue_card, record
from handlers.lifecycle import effects, policy, transitions
from handlers.lifecycle.effects import Invalid
from handlers.people.refusals import record_refusal, unavailable
from handlers.people.resolve import Actor, not_known, resolve
from handlers.reads.build import alert_view
from handlers.remediation.states import fix_refusal
from handlers.views import AlertView
from storage import queries
from storage.errors import Conflict, Disconnected, translated
from storage.models import Alert
from storage.unit import Session, Store, UnitOfWork

_ATTEMPTS = 5
# Verbs that change an alert's fix and leave its status as it was: nothing on the alert
# row would otherwise change, and neither would the card or the buttons' version fence.
_FIX_ONLY = (Verb.RETRY, Verb.DONE)


def _refuse(
    uow: UnitOfWork,
    cmd: Command,
    at: datetime,
    outcome: Outcome,
    message: str,
    actor: Actor | None,
    alert: Alert | None,
) -> Result:
    record_refusal(
        uow, at=at, who=cmd.actor, actor=actor, verb=cmd.verb.value, reason=message,
        tenant_id=alert.tenant_id if alert else None,
        alert=alert.short_id if alert else cmd.alert,
        status=alert.status if alert else None,
    )
    return Result(outcome, message)


def claimed_by_other(cmd: Command, actor: Actor, subject: policy.Subject,
                     state_version: int | None = None) -> str | None:
    """Why a claim cannot be had because someone else holds the alert, naming them;
    "was just claimed" when that happened after the clicked card was shown."""
    # A resolved alert keeps its last owner (lifecycle answers that claim), and the
    # owner of a snoozed alert claims it to wake it up: neither is a conflict.
    if cmd.verb is not Verb.CLAIM or subject.owner_email is None:
        return None
    if subject.status is Status.RESOLVED:
        return None
    if subject.owner_email == actor.email:
        return None if subject.status is Status.SNOOZED else f"You already own {subject.short_id}."
    holder = subject.owner_name or subject.owner_email
    if subject.owner_side:
        holder = f"{holder} ({subject.owner_side.value})"
    just = cmd.seen_version is not None and cmd.seen_version != state_version
    return f"{subject.short_id} was just claimed by {holder}." if just else (
        f"{subject.short_id} is already claimed by {holder}.")


def _check(
    cfg: TandemConfig, cmd: Command, alert: Alert, actor: Actor, view: AlertView
) -> tuple[Outcome, str] | None:
    """Why `actor` may not run `cmd` on `alert` (a member of its tenant), or None.
    A lost claim race names the winner before a stale card is mentioned."""
    subject = policy.subject_of(view)
    taken = claimed_by_other(cmd, actor, subject, alert.state_version)
    if taken:
        return Outcome.CONFLICT, taken
    if cmd.seen_version is not None and cmd.seen_version != alert.state_version:
        return Outcome.STALE, f"{alert.short_id} changed since this card was shown; here it is now."
    status = Status(alert.status)
    if transitions.next_status(cmd.verb, status) is None:
        return Outcome.ILLEGAL, transitions.refusal(cmd.verb, status, alert.short_id)
    state = fix_refusal(cmd.verb, view)
    if state:
        return Outcome.ILLEGAL, state
    reason = policy.refusal(actor, cmd.verb, subject, cfg.approval)
    if reason:
        return Outcome.REFUSED, reason
    return significance.problem(cmd.verb, cmd.args, actor, view)


def _words(cfg: TandemConfig, cmd: Command, alert: Alert, actor: Actor,
           details: dict[str, Any]) -> tuple[str, str]:
    """The answer to whoever acted, and the note in the card's thread."""
    label = actor.view.label
    if cmd.verb is Verb.SIGNIFICANT:
        tenant = cfg.tenant(alert.tenant_id)
        zone = tenant.timezone if tenant else "UTC"
        flagged = significance.significant_view(alert.significant_at, alert.significant_stages,
                                                zone)
        return significance.said(label, alert.short_id, details, flagged, zone)
    return f"{label} {cmd.verb.past} {alert.short_id}.", f"{label} {cmd.verb.past}"


async def _apply(
    uow: UnitOfWork,
    session: Session,
    cfg: TandemConfig,
    cmd: Command,
    alert: Alert,
    actor: Actor,
    now: datetime,
) -> str:
    before = alert.status
    after = transitions.next_status(cmd.verb, Status(before))
    if after is None:  # _check refused an illegal verb, on the alert as locked now
        raise RuntimeError(f"{cmd.verb} is not possible for {alert.short_id} ({before})")
    alert.status = after
    details = await effects.EFFECTS[cmd.verb](
        effects.Context(uow, session, cfg, alert, actor, dict(cmd.args), now)
    )
    if cmd.verb in _FIX_ONLY:
        alert.state_version += 1  # its fix moved on: so do its buttons and its card
    await session.flush()  # the optimistic lock fires here, before anything is audited
    record(
        uow,
        alert,
        at=now,
        actor=actor.email,
        actor_side=actor.side.value,
        verb=cmd.verb.value,
        from_status=before,
        to_status=alert.status,
        details=details,
    )
    message, note = _words(cfg, cmd, alert, actor, details)
    enqueue_card(uow, cfg, alert, now, note=note)
    return message


async def execute(
    db: Store, cfg: TandemConfig, cmd: Command, now: datetime | None = None
) -> Result:
    """Apply `cmd`; a lost race is retried on fresh state, so the loser learns who won,
    and so is a unit that met a dropped connection (after a database restart)."""
    for _ in range(_ATTEMPTS):
        try:
            with translated():
                async with db.unit() as uow:
                    return await dispatch(uow, cfg, cmd, now or datetime.now(UTC))
        except Invalid as error:
            return await _refuse_invalid(db, cfg, cmd, str(error), now or datetime.now(UTC))
        except (Conflict, Disconnected):
            continue
    return Result(Outcome.CONFLICT, f"{cmd.alert} is busy; try again in a moment.")


async def _refuse_invalid(db: Store, cfg: TandemConfig, cmd: Command, reason: str,
                          now: datetime) -> Result:
    """A command refused for its arguments changed nothing (its unit was undone); the
    refusal is written in a unit of its own. Only a member of the alert's tenant gets
    this far, so it goes to that tenant's chain."""
    async with db.unit() as uow:
        alert = await queries.alert_by_short_id(await uow.session(), cmd.alert)
        return _refuse(uow, cmd, now, Outcome.INVALID, reason, resolve(cfg, cmd.actor), alert)


async def dispatch(uow: UnitOfWork, cfg: TandemConfig, cmd: Command, now: datetime) -> Result:
    """`cmd` inside the caller's unit of work."""
    session = await uow.session()
    actor = resolve(cfg, cmd.actor)
    alert = await queries.alert_by_short_id(session, cmd.alert)
    if actor is None:
        return _refuse(uow, cmd, now, Outcome.UNKNOWN_PERSON, not_known(cmd.actor, cfg),
                       None, alert)
    if alert is None or alert.tenant_id not in actor.tenants:
        # One answer whether the alert exists elsewhere or not at all.
        return _refuse(uow, cmd, now, Outcome.NOT_FOUND, unavailable(cmd.alert), actor, alert)
    key = cmd.idempotency_key
    if key and not await queries.remember_key(session, key, alert.tenant_id, now):
        await session.refresh(alert)  # as the first click left it, if it committed meanwhile
        return Result(Outcome.REPLAYED, "Already done; nothing changed.",
                      await alert_view(session, cfg, alert))
    view = await alert_view(session, cfg, alert)
    problem = _check(cfg, cmd, alert, actor, view)
    if problem:
        refused = _refuse(uow, cmd, now, *problem, actor, alert)
        return Result(refused.outcome, refused.message, view)
    message = await _apply(uow, session, cfg, cmd, alert, actor, now)
    return Result(Outcome.DONE, message, await alert_view(session, cfg, alert))
