"""Chat commands about a whole tenant rather than one alert: silences and on-call.

The tenant is the one whose alert channel the command was typed in, else the
asker's only tenant; someone serving several tenants elsewhere is asked to say
which by typing it in that tenant's channel. Each function returns the answer and
whether it changed shared state (only then is it shown to the whole channel).
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from handlers import oncall_answer, silences
from handlers.commands import Identity
from handlers.config import TandemConfig
from handlers.config import Tenant as TenantConfig
from handlers.enums import Role
from handlers.people import Actor, not_known, resolve
from storage.db import Database
from storage.models import Silence

ShowTime = Callable[[datetime, str], str]


def channel_tenant(cfg: TandemConfig, platform: str | None, channel: str | None) -> str | None:
    """The tenant whose alert channel this is, if any."""
    for tenant in cfg.tenants:
        if any(c.platform == platform and c.channel == channel for c in tenant.channels):
            return tenant.id
    return None


def _scope(cfg: TandemConfig, who: Identity,
           hinted: str | None) -> tuple[Actor, list[TenantConfig]] | str:
    actor = resolve(cfg, who)
    if actor is None:
        return not_known(who)
    ids = [hinted] if hinted in actor.tenants else sorted(actor.tenants)
    return actor, [cfg.tenant(i) for i in ids if cfg.tenant(i)]


def _one(actor: Actor, tenants: list[TenantConfig]) -> TenantConfig | str:
    if not tenants:
        return f"{actor.name} is not a member of any tenant."
    if len(tenants) > 1:
        names = ", ".join(t.name for t in tenants)
        return f"You work for several tenants ({names}); run this in that tenant's alert channel."
    if not actor.has(Role.RESPONDER):
        return f"Silences need the {Role.RESPONDER.value} role, which {actor.name} lacks."
    return tenants[0]


def _matchers(matchers: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(matchers.items()))


async def add(db: Database, cfg: TandemConfig, who: Identity, hinted: str | None,
              matchers: dict[str, str], length: timedelta, reason: str, show: ShowTime,
              now: datetime) -> tuple[str, bool]:
    scope = _scope(cfg, who, hinted)
    if isinstance(scope, str):
        return scope, False
    actor, tenants = scope
    tenant = _one(actor, tenants)
    if isinstance(tenant, str):
        return tenant, False
    async with db.transaction() as session:
        silence = await silences.add(session, tenant.id, matchers, starts=now, ends=now + length,
                                     reason=reason, actor=actor.email)
    why = f": {reason}" if reason else ""
    return (f"{actor.view.label} silenced {_matchers(matchers)} in {tenant.name} until "
            f"{show(silence.ends_at, tenant.timezone)} (silence {silence.id}){why}", True)


async def listing(db: Database, cfg: TandemConfig, who: Identity, hinted: str | None,
                  show: ShowTime, now: datetime) -> str:
    scope = _scope(cfg, who, hinted)
    if isinstance(scope, str):
        return scope
    _, tenants = scope
    async with db.read() as session:
        lines = []
        for tenant in tenants:
            found = await silences.active(session, tenant.id, now)
            if not found:
                lines.append(f"No active silences in {tenant.name}.")
            for s in sorted(found, key=lambda s: s.id):
                why = f": {s.reason}" if s.reason else ""
                lines.append(f"#{s.id} {tenant.name}: {_matchers(s.matchers)} until "
                             f"{show(s.ends_at, tenant.timezone)}, by {s.created_by}{why}")
    return "\n".join(lines)


async def expire(db: Database, cfg: TandemConfig, who: Identity, hinted: str | None,
                 silence_id: int, now: datetime) -> tuple[str, bool]:
    scope = _scope(cfg, who, hinted)
    if isinstance(scope, str):
        return scope, False
    actor, _ = scope
    async with db.transaction() as session:
        row = await session.get(Silence, silence_id)
        if row is None or row.tenant_id not in actor.tenants:
            return f"No silence {silence_id} in your tenants.", False
        tenant = _one(actor, [cfg.tenant(row.tenant_id)])
        if isinstance(tenant, str):
            return tenant, False
        await silences.expire(session, tenant.id, silence_id, actor.email, now)
    return f"{actor.view.label} expired silence {silence_id} in {tenant.name}.", True


async def oncall(db: Database, cfg: TandemConfig, who: Identity, hinted: str | None,
                 rest: str, now: datetime) -> tuple[str, bool]:
    scope = _scope(cfg, who, hinted)
    if isinstance(scope, str):
        return scope, False
    actor, tenants = scope
    return await oncall_answer.chat(db, cfg, actor, tenants, rest, now)
