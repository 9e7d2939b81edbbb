"""Chat commands about a whole tenant rather than one alert: on-call (silences are in
silences.py).

The tenant is the one whose alert channel the command was typed in (someone who is
not a member of it is refused there, never answered about their own tenant), else the
asker's only tenant; someone serving several tenants elsewhere is asked to say
which by typing it in that tenant's channel. Each function returns the answer and
whether it changed shared state (only then is it shown to the whole channel).
"""

from collections.abc import Callable
from datetime import datetime

from handlers.commands import Identity
from handlers.config.schema import TandemConfig
from handlers.config.schema import Tenant as TenantConfig
from handlers.oncall import answer as oncall_answer
from handlers.people.refusals import record_refusal
from handlers.people.resolve import Actor, not_known, resolve
from storage.unit import Store

ShowTime = Callable[[datetime, str], str]


def channel_tenant(cfg: TandemConfig, platform: str | None, channel: str | None) -> str | None:
    """The tenant whose alert channel this is, if any."""
    for tenant in cfg.tenants:
        if any(c.platform == platform and c.channel == channel for c in tenant.channels):
            return tenant.id
    return None


def scope(cfg: TandemConfig, actor: Actor, hinted: str | None) -> list[TenantConfig] | str:
    """The tenants a tenant-wide command typed in `hinted`'s channel (None: outside any
    tenant's channel) concerns, or why `actor` may not use it there."""
    if hinted is not None and hinted not in actor.tenants:
        return f"{actor.name} is not a member of {cfg.known_tenant(hinted).name}."
    ids = [hinted] if hinted else sorted(actor.tenants)
    return [tenant for i in ids if (tenant := cfg.tenant(i))]


async def _refused(db: Store, who: Identity, actor: Actor | None, hinted: str | None,
                   reason: str, now: datetime) -> tuple[str, bool]:
    async with db.unit() as uow:
        record_refusal(uow, at=now, who=who, actor=actor, verb="oncall",
                       reason=reason, tenant_id=hinted)
    return reason, False


async def oncall(db: Store, cfg: TandemConfig, who: Identity, hinted: str | None,
                 rest: str, now: datetime) -> tuple[str, bool]:
    actor = resolve(cfg, who)
    if actor is None:
        return await _refused(db, who, None, hinted, not_known(who, cfg), now)
    tenants = scope(cfg, actor, hinted)
    if isinstance(tenants, str):
        return await _refused(db, who, actor, hinted, tenants, now)
    return await oncall_answer.chat(db, cfg, actor, tenants, rest, now)
