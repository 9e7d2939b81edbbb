"""The chat `silence` commands: add, list and expire.

A silence acts on the tenant whose alert channel the command was typed in, and only
for a member of it: someone typing in another tenant's channel is refused (audited in
the deployment's chain, handlers.refusals), never silently served in their own tenant. Outside any
tenant's channel it acts on the asker's only tenant. Each function returns the answer
and whether it changed shared state (only then is it shown to the whole channel).
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.chat import tenant as chat_tenant
from handlers.chat.parse import SilenceAdd
from handlers.commands import Identity
from handlers.config.schema import TandemConfig
from handlers.config.schema import Tenant as TenantConfig
from handlers.people.resolve import Actor, not_known, resolve
from handlers.silences import changes, policy
from handlers.timing.parse import parse_instant
from storage import silences as stored
from storage.models import Silence
from storage.unit import Store

ShowTime = Callable[[datetime, str], str]


def _tenant(cfg: TandemConfig, actor: Actor, hinted: str | None) -> TenantConfig | str:
    """The channel's tenant (membership is checked by the rules), else the asker's only one."""
    if hinted is not None:  # an alert channel's, so configured
        return cfg.known_tenant(hinted)
    tenants = [t for t in cfg.tenants if t.id in actor.tenants]
    if not tenants:
        return f"{actor.name} is not a member of any tenant."
    if len(tenants) > 1:
        names = ", ".join(t.name for t in tenants)
        return f"You work for several tenants ({names}); run this in that tenant's alert channel."
    return tenants[0]


def _matchers(matchers: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(matchers.items()))


def _when(silence: Silence, zone: str, show: ShowTime, now: datetime) -> str:
    every = f"every {silence.every} " if silence.every else ""
    start = f"from {show(silence.starts_at, zone)} " if silence.starts_at > now else ""
    return f"{every}{start}until {show(silence.ends_at, zone)}"


async def add(db: Store, cfg: TandemConfig, who: Identity, hinted: str | None,
              request: SilenceAdd, show: ShowTime, now: datetime) -> tuple[str, bool]:
    actor = resolve(cfg, who)
    if actor is None:
        return await policy.stranger(db, who, "silence.add", hinted, now), False
    tenant = _tenant(cfg, actor, hinted)
    if isinstance(tenant, str):
        return tenant, False
    try:
        zone = ZoneInfo(tenant.timezone)
        starts = parse_instant(request.start, zone, now) if request.start else now
    except ValueError as error:
        return f"Silence: {error}.", False
    wanted = changes.Wanted(tenant, request.matchers, starts, starts + request.length,
                                    request.reason, request.every)
    async with db.unit() as uow:
        made = await changes.add(uow, cfg, actor, wanted, now)
    if isinstance(made, str):
        return made, False
    why = f": {request.reason}" if request.reason else ""
    return (f"{actor.view.label} silenced {_matchers(request.matchers)} in {tenant.name} "
            f"{_when(made, tenant.timezone, show, now)} (silence {made.id}){why}", True)


async def listing(db: Store, cfg: TandemConfig, who: Identity, hinted: str | None,
                  show: ShowTime, now: datetime) -> str:
    """Silences in force or still to come: the channel's tenant's, else all the asker's."""
    actor = resolve(cfg, who)
    if actor is None:
        return not_known(who)
    tenants = chat_tenant.scope(cfg, actor, hinted)
    if isinstance(tenants, str):
        return tenants
    lines = []
    async with db.read() as session:
        for tenant in tenants:
            found = await stored.unended(session, tenant.id, now)
            if not found:
                lines.append(f"No active silences in {tenant.name}.")
            for s in found:
                why = f": {s.reason}" if s.reason else ""
                lines.append(f"#{s.id} {tenant.name}: {_matchers(s.matchers)} "
                             f"{_when(s, tenant.timezone, show, now)}, by {s.created_by}{why}")
    return "\n".join(lines)


async def expire(db: Store, cfg: TandemConfig, who: Identity, hinted: str | None,
                 silence_id: int, now: datetime) -> tuple[str, bool]:
    actor = resolve(cfg, who)
    if actor is None:
        return await policy.stranger(db, who, "silence.expire", hinted, now), False
    async with db.unit() as uow:
        row = await stored.by_id(await uow.session(), silence_id)
        if row is None or row.tenant_id not in actor.tenants:
            return policy.refuse(uow, actor, hinted, "silence.expire",
                                 f"No silence {silence_id} in your tenants.", now), False
        tenant = cfg.known_tenant(row.tenant_id)
        done = await changes.expire(uow, cfg, actor, tenant, silence_id, now)
    if isinstance(done, str):
        return done, False
    back = f" {done.back} alert(s) came back." if done.back else ""
    return f"{actor.view.label} expired silence {silence_id} in {tenant.name}.{back}", True
