"""dispatch(): one command, one unit of work: policy, transition, audit, outbox.

The caller owns the transaction (handlers never commit). Refusals are written to
the audit log too, so the log shows who tried what and why it was refused.
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import lifecycle, policy, verbs
from handlers.commands import Command, Outcome, Result
from handlers.config import TandemConfig
from handlers.enums import Severity, Side, Status, Verb
from handlers.fanout import enqueue_card, record
from handlers.people import Actor, not_known, resolve, view_of
from handlers.viewing import alert_view, tenant_of
from storage import queries
from storage.models import Alert


async def _refuse(
    session: AsyncSession,
    cmd: Command,
    alert: Alert,
    at: datetime,
    outcome: Outcome,
    message: str,
    actor: Actor | None = None,
) -> Result:
    record(
        session,
        alert,
        at=at,
        verb="refused",
        details={"verb": cmd.verb.value, "reason": message},
        actor=actor.email if actor else cmd.actor.describe(),
        actor_side=actor.side.value if actor else None,
        from_status=alert.status,
    )
    return Result(outcome, message)


async def _subject(session: AsyncSession, cfg: TandemConfig, alert: Alert) -> policy.Subject:
    tenant = await tenant_of(session, cfg, alert.tenant_id)
    owner = await view_of(session, cfg, alert.owner_email) if alert.owner_email else None
    proposal = None
    if alert.status == Status.REMEDIATION_PENDING:
        proposal = await queries.latest_remediation(session, alert.id)
    return policy.Subject(
        short_id=alert.short_id,
        tenant_id=alert.tenant_id,
        tenant_name=tenant.name,
        severity=Severity(alert.severity),
        owner_email=alert.owner_email,
        owner_name=owner.name if owner else None,
        proposer_email=proposal.proposed_by if proposal else None,
        proposer_side=Side(proposal.proposer_side) if proposal else None,
        status=Status(alert.status),
    )


def claimed_by_other(cmd: Command, actor: Actor, subject: policy.Subject) -> str | None:
    # A resolved alert keeps its last owner (lifecycle answers that claim), and the
    # owner of a snoozed alert claims it to wake it up: neither is a conflict.
    if cmd.verb is not Verb.CLAIM or subject.owner_email is None:
        return None
    if subject.status is Status.RESOLVED:
        return None
    if subject.owner_email == actor.email:
        return None if subject.status is Status.SNOOZED else f"You already own {subject.short_id}."
    return f"{subject.short_id} is already claimed by {subject.owner_name}."


async def _check(
    session: AsyncSession, cfg: TandemConfig, cmd: Command, alert: Alert, actor: Actor
) -> tuple[Outcome, str] | None:
    subject = await _subject(session, cfg, alert)
    if alert.tenant_id not in actor.tenants:
        return Outcome.NOT_FOUND, f"No alert {cmd.alert.upper()} in your tenants."
    if cmd.seen_version is not None and cmd.seen_version != alert.version:
        return Outcome.STALE, f"{alert.short_id} changed since this card was shown; here it is now."
    taken = claimed_by_other(cmd, actor, subject)
    if taken:
        return Outcome.CONFLICT, taken
    status = Status(alert.status)
    if lifecycle.next_status(cmd.verb, status) is None:
        return Outcome.ILLEGAL, lifecycle.refusal(cmd.verb, status, alert.short_id)
    reason = policy.refusal(actor, cmd.verb, subject, cfg.approval)
    return (Outcome.REFUSED, reason) if reason else None


async def _apply(
    session: AsyncSession,
    cfg: TandemConfig,
    cmd: Command,
    alert: Alert,
    actor: Actor,
    now: datetime,
) -> str:
    before = alert.status
    alert.status = lifecycle.next_status(cmd.verb, Status(before))
    details = await verbs.EFFECTS[cmd.verb](
        verbs.Context(session, cfg, alert, actor, dict(cmd.args), now)
    )
    await session.flush()  # the optimistic lock fires here, before anything is audited
    record(
        session,
        alert,
        at=now,
        actor=actor.email,
        actor_side=actor.side.value,
        verb=cmd.verb.value,
        from_status=before,
        to_status=alert.status,
        details=details,
    )
    note = f"{actor.view.label} {cmd.verb.past}"
    enqueue_card(session, cfg, alert, now, note=note)
    return f"{actor.view.label} {cmd.verb.past} {alert.short_id}."


async def dispatch(session: AsyncSession, cfg: TandemConfig, cmd: Command, now: datetime) -> Result:
    actor = resolve(cfg, cmd.actor)
    alert = await queries.alert_by_short_id(session, cmd.alert)
    if alert is None:
        return Result(Outcome.NOT_FOUND, f"No alert {cmd.alert.upper()}.")
    key = cmd.idempotency_key
    if key and not await queries.remember_key(session, key, alert.tenant_id, now):
        await session.refresh(alert)  # as the first click left it, if it committed meanwhile
        return Result(Outcome.REPLAYED, "Already done; nothing changed.",
                      await alert_view(session, cfg, alert))
    if actor is None:
        return await _refuse(session, cmd, alert, now, Outcome.UNKNOWN_PERSON, not_known(cmd.actor))
    problem = await _check(session, cfg, cmd, alert, actor)
    if problem:
        refused = await _refuse(session, cmd, alert, now, *problem, actor=actor)
        if refused.outcome is Outcome.NOT_FOUND:  # another tenant's alert stays invisible
            return refused
        return Result(refused.outcome, refused.message, await alert_view(session, cfg, alert))
    message = await _apply(session, cfg, cmd, alert, actor, now)
    return Result(Outcome.DONE, message, await alert_view(session, cfg, alert))
