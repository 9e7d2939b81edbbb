"""Chat commands about a whole tenant rather than one alert: on-call (silences are in
chat_silences.py).

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
        return f"{actor.name} is not a member of {cfg.tenant(hinted).name}."
    ids = [hinted] if hinted else sorted(actor.tenants)
    return [cfg.tenant(i) for i in ids if cfg.tenant(i)]


def _scope(cfg: TandemConfig, who: Identity,
           hinted: str | None) -> tuple[Actor, list[TenantConfig]] | tuple[Actor | None, str]:
    actor = resolve(cfg, who)
    if actor is None:
        return None, not_known(who, cfg)
    return actor, scope(cfg, actor, hinted)


async def oncall(db: Store, cfg: TandemConfig, who: Identity, hinted: str | None,
                 rest: str, now: datetime) -> tuple[str, bool]:
    actor, scope = _scope(cfg, who, hinted)
    if isinstance(scope, str):
        async with db.unit() as uow:
            record_refusal(uow, at=now, who=who, actor=actor, verb="oncall",
                           reason=scope, tenant_id=hinted)
        return scope, False
    return await oncall_answer.chat(db, cfg, actor, scope, rest, now)
