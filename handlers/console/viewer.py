"""Who is looking at the console: a configured person, or a sentence saying why not.

Sign-in (bot/web) matches the person; the configuration may since have dropped them (a
reload), so every read resolves them again. A stranger's attempt is audited in the
deployment's chain, as chat audits it.
"""

from datetime import datetime

from handlers.commands import Identity
from handlers.config.schema import TandemConfig
from handlers.config.schema import Tenant as TenantConfig
from handlers.people.refusals import record_refusal
from handlers.people.resolve import Actor, not_known, resolve
from storage.unit import Store


async def viewer(db: Store, cfg: TandemConfig, who: Identity, verb: str,
                 now: datetime) -> Actor | str:
    """The configured person behind `who`, or the audited sentence for a stranger."""
    actor = resolve(cfg, who)
    if actor is not None:
        return actor
    reason = not_known(who, cfg)
    async with db.unit() as uow:
        record_refusal(uow, at=now, who=who, actor=None, verb=verb, reason=reason,
                       tenant_id=None)
    return reason


def tenants_of(cfg: TandemConfig, actor: Actor) -> list[TenantConfig]:
    """The person's configured tenants, by name."""
    return sorted((t for t in cfg.tenants if t.id in actor.tenants), key=lambda t: t.name)


def not_theirs(tenant: str) -> str:
    """The one answer for a tenant that does not exist and one the person is not in
    (reads' wording): neither says whether it exists."""
    return f"Tenant {tenant[:64]!r} is not available to you."
