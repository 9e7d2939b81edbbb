"""Fixes waiting for approval: remind the approvers once, then let the fix lapse.

After `remind_after` the approvers who may decide get a direct message, or, as with
escalation pings (pings.py), a real mention in the alert's channels when Tandem
cannot message them directly (on Teams: until they have messaged Tandem, audited as
ping.fallback); after `expire_after` the fix is marked expired and the alert goes back
to its owner (claimed; open if it has none). Both are fenced UPDATEs, so concurrent ticks act
once, and both are audited by the system actor and re-render the card.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers.config.schema import Person, TandemConfig
from handlers.config.schema import Tenant as TenantConfig
from handlers.enums import Status
from handlers.escalation import pings, timers
from handlers.fanout import enqueue_card, record
from handlers.timing.parse import parse_duration
from storage import remediations
from storage.models import Alert, Remediation
from storage.unit import Session, Store, UnitOfWork

BATCH = 200


def expires_at(tenant: TenantConfig | None, row: Remediation) -> datetime | None:
    """When a pending fix lapses, if the tenant lets fixes lapse."""
    if tenant is None or tenant.approval_reminders is None or row.status != "pending":
        return None
    return row.proposed_at + parse_duration(tenant.approval_reminders.expire_after)


def _ago(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"


def _clock(at: datetime, tenant: TenantConfig) -> str:
    return at.astimezone(ZoneInfo(tenant.timezone)).strftime("%H:%M %Z")


async def _ask(session: Session, tenant: TenantConfig, alert: Alert,
               deciders: Sequence[Person], text: str, now: datetime,
               ) -> tuple[list[pings.Reached], list[dict[str, Any]]]:
    """DM each approver, as escalation pings do (pings.reach): one Tandem cannot message
    directly is mentioned in the channels, and on Teams until Teams can DM them."""
    if not deciders:  # nobody may decide: ask the channels
        return [], pings.in_channels(tenant, alert, f"{text} Approvers, please decide.", now)
    teams = await pings.teams_known(session, deciders)
    reached, outbox = [], []
    for who in deciders:
        asked = pings.Named(f"{text} ", who, ", please decide.")
        done, rows = pings.reach(tenant, alert, who, text, asked, now, teams)
        reached.append(done)
        outbox += rows
    return reached, outbox


async def _remind(uow: UnitOfWork, session: Session, cfg: TandemConfig, tenant: TenantConfig,
                  alert: Alert, row: Remediation, now: datetime) -> bool:
    if not await remediations.mark_reminded(session, row.id, alert.id, now):
        return False
    lapses = expires_at(tenant, row)
    if lapses is None:  # _act reminds only pending fixes of tenants whose fixes lapse
        raise RuntimeError(f"fix {row.id} is reminded but never lapses")
    fix = cfg.remediation(row.action_id)
    proposer = cfg.person(row.proposed_by)
    text = (f"{alert.short_id} ({alert.severity}): {proposer.name if proposer else row.proposed_by}"
            f" proposed “{fix.title if fix else row.action_id}” {_ago(now - row.proposed_at)} ago"
            f" and it is waiting for your approval; undecided, it lapses at "
            f"{_clock(lapses, tenant)}.")
    deciders = pings.approvers(cfg, tenant.id, row.proposed_by, row.needs_internal_approver)
    reached, outbox = await _ask(session, tenant, alert, deciders, text, now)
    uow.outbox(outbox)
    record(uow, alert, at=now, actor=pings.SYSTEM_ACTOR, verb="approval.reminded",
           from_status=alert.status, to_status=alert.status,
           details={"remediation": row.id, "to": [r.audit() for r in reached]})
    fallbacks = [event for r in reached if (event := r.fallback_event())]
    uow.audit(alert.tenant_id, [timers.fallback_entry(alert, f, now) for f in fallbacks])
    enqueue_card(uow, cfg, alert, now, note="Approvers reminded")
    return True


async def _expire(uow: UnitOfWork, session: Session, cfg: TandemConfig, alert: Alert,
                  row: Remediation, now: datetime) -> bool:
    if not await remediations.expire(session, row.id, now, "not approved in time"):
        return False
    before = alert.status
    alert.status = Status.CLAIMED if alert.owner_email else Status.OPEN
    timers.arm(cfg, alert, now)
    await session.flush()
    record(uow, alert, at=now, actor=pings.SYSTEM_ACTOR, verb="remediation.expired",
           from_status=before, to_status=alert.status,
           details={"remediation": row.id, "fix": row.action_id})
    enqueue_card(uow, cfg, alert, now, note="Fix expired without a decision")
    return True


async def _pending(session: Session, cfg: TandemConfig, now: datetime,
                   size: int) -> list[tuple[Remediation, Alert]]:
    """Latest fixes of alerts awaiting approval, old enough for some tenant's reminder."""
    rules = [t.approval_reminders for t in cfg.tenants if t.approval_reminders]
    remind = min(parse_duration(r.remind_after) for r in rules)
    expire = min(parse_duration(r.expire_after) for r in rules)
    return await remediations.due_decisions(session, Status.REMEDIATION_PENDING, now - remind,
                                            now - expire, size)


async def _act(uow: UnitOfWork, session: Session, cfg: TandemConfig, alert: Alert,
               row: Remediation, now: datetime) -> str | None:
    tenant = cfg.tenant(alert.tenant_id)
    if tenant is None or tenant.approval_reminders is None:
        return None
    rules = tenant.approval_reminders
    age = now - row.proposed_at
    if age >= parse_duration(rules.expire_after):
        return "expired" if await _expire(uow, session, cfg, alert, row, now) else None
    if age >= parse_duration(rules.remind_after) and row.reminded_at is None:
        return "reminded" if await _remind(uow, session, cfg, tenant, alert, row, now) else None
    return None


async def tick(db: Store, cfg: TandemConfig, now: datetime, size: int = BATCH) -> list[str]:
    """Remind or expire every due fix; returns what happened, e.g. ["reminded"]."""
    if not any(t.approval_reminders for t in cfg.tenants):
        return []
    async with db.unit() as uow:
        session = await uow.session()
        rows = await _pending(session, cfg, now, size)
        outcomes = [await _act(uow, session, cfg, alert, row, now) for row, alert in rows]
    return [o for o in outcomes if o]
