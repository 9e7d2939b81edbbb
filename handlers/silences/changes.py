"""Adding and expiring silences, for chat and the command line alike.

Both run in the caller's unit of work and check the rules first (policy.py): a
refusal is audited and returned as the sentence to show. Expiring a silence brings
its alerts back in the same transaction.
"""

from dataclasses import dataclass
from datetime import datetime

from handlers.config.schema import TandemConfig
from handlers.config.schema import Tenant as TenantConfig
from handlers.enums import Side
from handlers.people.resolve import Actor
from handlers.silences import ends as silence_ends
from handlers.silences import policy
from storage import silences
from storage.models import Silence
from storage.unit import UnitOfWork


@dataclass(frozen=True)
class Wanted:
    """A silence someone asked for; `every` is a weekly window already checked by
    matching.every_text."""

    tenant: TenantConfig
    matchers: dict[str, str]
    starts: datetime
    ends: datetime
    reason: str = ""
    every: str | None = None


def _problem(cfg: TandemConfig, actor: Actor, wanted: Wanted) -> str | None:
    return (
        policy.may_act(actor, wanted.tenant)
        or policy.too_long(wanted.tenant, wanted.starts, wanted.ends)
        or (policy.partner_limit(cfg, actor, wanted.matchers)
            if actor.side is Side.PARTNER else None)
    )


async def add(uow: UnitOfWork, cfg: TandemConfig, actor: Actor, wanted: Wanted,
              now: datetime) -> Silence | str:
    """The new silence, or the audited sentence saying why not."""
    problem = _problem(cfg, actor, wanted)
    if problem:
        return policy.refuse(uow, actor, wanted.tenant.id, "silence.add", problem, now)
    silence = await silences.add(await uow.session(), wanted.tenant.id, wanted.matchers,
                                 wanted.reason, actor.email, wanted.starts, wanted.ends,
                                 wanted.every)
    details = {"silence": silence.id, "matchers": wanted.matchers, "reason": wanted.reason,
               "from": wanted.starts.isoformat(), "until": wanted.ends.isoformat()}
    if wanted.every:
        details["every"] = wanted.every
    uow.audit(wanted.tenant.id, [dict(
        at=now, actor=actor.email, actor_side=actor.side.value, verb="silence.add",
        details=details,
    )])
    return silence


@dataclass(frozen=True)
class Expired:
    silence: Silence
    back: int  # alerts that came back at once


async def expire(uow: UnitOfWork, cfg: TandemConfig, actor: Actor, tenant: TenantConfig,
                 silence_id: int, now: datetime) -> Expired | str:
    """End the silence now (one still to come never starts) and bring its alerts back."""
    problem = policy.may_act(actor, tenant)
    session = await uow.session()
    silence = await silences.by_id(session, silence_id)
    if silence is None or silence.tenant_id != tenant.id:
        problem = problem or f"No silence {silence_id} in {tenant.name}."
        return policy.refuse(uow, actor, tenant.id, "silence.expire", problem, now)
    if problem:
        return policy.refuse(uow, actor, tenant.id, "silence.expire", problem, now)
    silence.starts_at = min(silence.starts_at, now)
    silence.ends_at = min(silence.ends_at, now)
    await session.flush()
    uow.audit(tenant.id, [dict(
        at=now, actor=actor.email, actor_side=actor.side.value, verb="silence.expire",
        details={"silence": silence.id},
    )])
    back = await silence_ends.release(uow, cfg, tenant, [silence.id], now)
    return Expired(silence, back)
