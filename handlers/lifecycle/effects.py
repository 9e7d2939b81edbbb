"""What each verb does to an alert once lifecycle and policy have allowed it.

Each effect checks its arguments before touching anything, raising `Invalid`
with a sentence naming the problem, and returns the details to audit.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from handlers.config.oncall import SnoozeLimits
from handlers.config.schema import TandemConfig
from handlers.enums import Nis2Stage, Role, Severity, Side, Status, Verb
from handlers.escalation import timers
from handlers.lifecycle.policy import needs_internal_approver, needs_internal_for_fix
from handlers.lifecycle.transitions import TRANSITIONS
from handlers.people.resolve import Actor
from handlers.remediation import CLASSIFICATIONS, Unbound, bind, close_at_source, queue_fix
from handlers.significant import entry, parse_stage
from handlers.timing.parse import parse_duration
from storage import queries, remediations
from storage.models import Alert, Remediation
from storage.unit import Session, UnitOfWork


class Invalid(Exception):
    """A command's arguments are wrong; nothing was changed."""


@dataclass
class Context:
    uow: UnitOfWork
    session: Session  # the unit's, open
    cfg: TandemConfig
    alert: Alert
    actor: Actor
    args: dict[str, str]
    now: datetime


def _stop_timers(alert: Alert) -> None:
    alert.next_escalation_at = None
    alert.escalation_generation += 1


def _hand_to_side(alert: Alert, side: Side) -> None:
    alert.status = TRANSITIONS[Verb.RELEASE].get(Status(alert.status), Status(alert.status))
    alert.owner_email, alert.owner_side = None, side


async def claim(ctx: Context) -> dict[str, Any]:
    a = ctx.alert
    a.owner_email, a.owner_side = ctx.actor.email, ctx.actor.side
    a.claimed_at = a.claimed_at or ctx.now
    a.snoozed_until = None
    _stop_timers(a)
    return {}


async def release(ctx: Context) -> dict[str, Any]:
    ctx.alert.owner_email = None
    timers.arm(ctx.cfg, ctx.alert, ctx.now)
    return {}


async def reassign(ctx: Context) -> dict[str, Any]:
    target = ctx.args.get("to", "").strip().lower()
    if target in (Side.INTERNAL, Side.PARTNER):
        _hand_to_side(ctx.alert, Side(target))
        timers.arm(ctx.cfg, ctx.alert, ctx.now)
        return {"to_side": target}
    person = ctx.cfg.person(target)
    if person is None:
        raise Invalid(f"Reassign needs a known person's email or a side; {target!r} is neither.")
    if ctx.alert.tenant_id not in person.tenants or Role.RESPONDER not in person.roles:
        raise Invalid(f"{person.name} is not a responder for this tenant.")
    ctx.alert.owner_email, ctx.alert.owner_side = person.email, person.side.value
    ctx.alert.claimed_at = ctx.alert.claimed_at or ctx.now
    return {"to": person.email}


async def escalate(ctx: Context) -> dict[str, Any]:
    mode = ctx.args.get("mode", "next_level")
    if mode not in ("next_level", "other_side"):
        raise Invalid(f"Escalate mode must be next_level or other_side, not {mode!r}.")
    ctx.alert.escalation_level += 1
    details = {"level": ctx.alert.escalation_level, "reason": ctx.args.get("reason", "")}
    if mode == "other_side":
        side = Side(ctx.alert.owner_side or ctx.actor.side).other
        _hand_to_side(ctx.alert, side)
        details["to_side"] = side.value
    return details | await timers.jumped(ctx.uow, ctx.cfg, ctx.alert, ctx.now)


async def propose(ctx: Context) -> dict[str, Any]:
    wanted = ctx.args.get("remediation", "")
    entry = ctx.cfg.remediation(wanted)
    if entry is None:
        known = ", ".join(r.id for r in ctx.cfg.remediations) or "none configured"
        raise Invalid(f"Unknown fix {wanted!r}; choose one of: {known}.")
    try:
        target = bind(entry, ctx.alert)
    except Unbound as error:
        raise Invalid(str(error)) from None
    needs = needs_internal_for_fix(ctx.cfg, ctx.alert.tenant_id, entry,
                                   Severity(ctx.alert.severity), ctx.actor.side)
    remediations.propose(ctx.session, ctx.alert.id, entry.id, ctx.args.get("note", ""),
                         ctx.actor.email, ctx.actor.side, needs, ctx.now, target)
    return {"remediation": entry.id, "needs_internal_approver": needs, "target": target}


async def _decide(ctx: Context, status: str,
                  row: Remediation | None = None) -> tuple[dict[str, Any], Remediation]:
    row = row or await queries.awaited_remediation(ctx.session, ctx.alert.id)
    row.status, row.decided_by, row.decided_at = status, ctx.actor.email, ctx.now
    row.decision_reason = ctx.args.get("reason", "")
    return {"remediation": row.action_id, "reason": row.decision_reason}, row


async def approve(ctx: Context) -> dict[str, Any]:
    fix = await queries.awaited_remediation(ctx.session, ctx.alert.id)
    entry = ctx.cfg.remediation(fix.action_id)
    if entry is not None and entry.needs_reason and not ctx.args.get("reason", "").strip():
        raise Invalid(f"Approving {entry.title} needs a reason: it changes who can sign in "
                      "or what can reach the network.")
    details, row = await _decide(ctx, "approved", fix)
    queued = await queue_fix(ctx.uow, ctx.cfg, ctx.alert, row, ctx.actor.email, ctx.now)
    return details | {"executes": queued}


async def reject(ctx: Context) -> dict[str, Any]:
    return (await _decide(ctx, "rejected"))[0]


async def withdraw(ctx: Context) -> dict[str, Any]:
    return (await _decide(ctx, "withdrawn"))[0]


async def retry(ctx: Context) -> dict[str, Any]:
    row = await queries.awaited_remediation(ctx.session, ctx.alert.id)
    row.status = "approved"
    await queue_fix(ctx.uow, ctx.cfg, ctx.alert, row, ctx.actor.email, ctx.now)
    return {"remediation": row.action_id, "reason": ctx.args.get("reason", "")}


async def done(ctx: Context) -> dict[str, Any]:
    row = await queries.awaited_remediation(ctx.session, ctx.alert.id)
    note = ctx.args.get("note", "").strip()
    if not note:
        raise Invalid("Marking a fix done by hand needs a note saying what was done.")
    row.status = "done"
    return {"remediation": row.action_id, "note": note}


async def resolve(ctx: Context) -> dict[str, Any]:
    classification = ctx.args.get("classification", "") or "unknown"
    if classification not in CLASSIFICATIONS:
        raise Invalid(f"Classification must be one of {', '.join(CLASSIFICATIONS)}, "
                      f"not {classification!r}.")
    ctx.alert.resolved_at = ctx.now
    ctx.alert.snoozed_until = None
    _stop_timers(ctx.alert)
    closes = await close_at_source(ctx.uow, ctx.cfg, ctx.alert, ctx.actor.email, classification,
                                   ctx.now)
    return {"note": ctx.args.get("note", "")} | (
        {"classification": classification, "closed_at_source": True} if closes else {})


async def reopen(ctx: Context) -> dict[str, Any]:
    with ctx.session.no_autoflush:  # the reopened status would meet the live one's index
        live = await queries.live_alert(ctx.session, ctx.alert.tenant_id, ctx.alert.fingerprint)
    if live is not None and live.id != ctx.alert.id:
        raise Invalid(f"{ctx.alert.short_id} can't be reopened: {live.short_id} is open for "
                      "the same source alert.")
    a = ctx.alert
    a.owner_email, a.resolved_at, a.claimed_at, a.escalation_level = None, None, None, 0
    timers.restart(ctx.cfg, a, ctx.now)
    return {}


def _snooze_limit(ctx: Context, length: timedelta) -> str | None:
    """Why a snooze of `length` is too long for this alert and this person, or None."""
    tenant = ctx.cfg.tenant(ctx.alert.tenant_id)
    limits = tenant.snooze if tenant else SnoozeLimits()
    severity = Severity(ctx.alert.severity)
    if length > limits.limit(severity):
        return (f"A {severity.value} alert may be snoozed for at most "
                f"{getattr(limits, severity.value)}.")
    if (needs_internal_approver(ctx.cfg.approval, severity, ctx.actor.side)
            and length > parse_duration(limits.partner)):
        return (f"A partner may snooze a {severity.value} alert for at most {limits.partner}; "
                "an internal person must snooze it for longer.")
    return None


async def snooze(ctx: Context) -> dict[str, Any]:
    try:
        length = parse_duration(ctx.args.get("duration", ""))
    except ValueError as error:
        raise Invalid(f"Snooze: {error}.") from None
    too_long = _snooze_limit(ctx, length)
    if too_long:
        raise Invalid(too_long)
    ctx.alert.snoozed_until = ctx.now + length
    _stop_timers(ctx.alert)
    return {"until": ctx.alert.snoozed_until.isoformat()}


async def comment(ctx: Context) -> dict[str, Any]:
    text = ctx.args.get("text", "").strip()
    if not text:
        raise Invalid("A comment needs some text.")
    return {"text": text}


async def significant(ctx: Context) -> dict[str, Any]:
    """Flag the alert as a significant incident (NIS2), or record a report submitted to the
    authority; whether it may be was checked (handlers.significant.problem). The step
    is kept on the alert row: the card shows the next deadline from it."""
    stage = parse_stage(ctx.args.get("stage"))
    note = ctx.args.get("note", "").strip()
    if stage is Nis2Stage.FLAGGED:
        if not note:
            raise Invalid(f"Flagging {ctx.alert.short_id} as significant needs a reason: "
                          "why it is a significant incident under NIS2.")
        ctx.alert.significant_at = ctx.now
    stages = dict(ctx.alert.significant_stages)  # a new dict, so the change is written
    ctx.alert.significant_stages = stages | {stage.value: entry(ctx.now, ctx.actor.email, note)}
    return {"stage": stage.value, "note": note}


EFFECTS: dict[Verb, Callable[[Context], Awaitable[dict[str, Any]]]] = {
    Verb.CLAIM: claim,
    Verb.RELEASE: release,
    Verb.REASSIGN: reassign,
    Verb.ESCALATE: escalate,
    Verb.PROPOSE: propose,
    Verb.APPROVE: approve,
    Verb.REJECT: reject,
    Verb.WITHDRAW: withdraw,
    Verb.RESOLVE: resolve,
    Verb.REOPEN: reopen,
    Verb.SNOOZE: snooze,
    Verb.COMMENT: comment,
    Verb.RETRY: retry,
    Verb.DONE: done,
    Verb.SIGNIFICANT: significant,
}
