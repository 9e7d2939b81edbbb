"""Who may silence what, for how long; and where a refusal is audited.

The same rules hold in chat and on the command line: the person must be configured, a
member of the tenant and a responder; a silence lasts at most the tenant's
`silence_max`; and a partner may not add a silence that can match alerts whose fixes
need an internal approver (the approval policy's `internal_approver_for`, by default
critical and high): an internal person must add it.
"""

from datetime import datetime, timedelta

from handlers.commands import Identity
from handlers.config.schema import TandemConfig
from handlers.config.schema import Tenant as TenantConfig
from handlers.enums import Role, Severity
from handlers.lifecycle.policy import needs_internal_approver
from handlers.people.refusals import record_refusal
from handlers.people.resolve import Actor, not_known
from handlers.timing.parse import parse_duration
from storage.unit import Store, UnitOfWork


def may_act(actor: Actor, tenant: TenantConfig) -> str | None:
    """None when `actor` may add or expire silences in `tenant`, else why not."""
    if tenant.id not in actor.tenants:
        return f"{actor.name} is not a member of {tenant.name}."
    if not actor.has(Role.RESPONDER):
        return f"Silences need the {Role.RESPONDER.value} role, which {actor.name} lacks."
    return None


def _shown(length: timedelta) -> str:
    """A length as people write durations: 7d, 2h30m."""
    minutes = int(length.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    parts = [(days, "d"), (rest // 60, "h"), (rest % 60, "m")]
    return "".join(f"{n}{unit}" for n, unit in parts if n) or "0m"


def too_long(tenant: TenantConfig, starts: datetime, ends: datetime) -> str | None:
    if ends - starts <= parse_duration(tenant.silence_max):
        return None
    return (f"Silences in {tenant.name} last at most {tenant.silence_max}; "
            f"this one would last {_shown(ends - starts)}.")


def partner_limit(cfg: TandemConfig, actor: Actor, matchers: dict[str, str]) -> str | None:
    """A partner's silence must be restricted (severity=...) to severities whose fixes a
    partner may approve; otherwise an internal person has to add it."""
    wanted = matchers.get("severity")
    reach = [Severity(wanted)] if wanted else list(Severity)
    guarded = [s.value for s in reach if needs_internal_approver(cfg.approval, s, actor.side)]
    if not guarded:
        return None
    return (f"A partner's silence that can match {' or '.join(guarded)} alerts must be added "
            f"by an internal person; {actor.name} is on the partner side.")


def refuse(uow: UnitOfWork, actor: Actor, tenant_id: str | None, verb: str,
           reason: str, at: datetime) -> str:
    """Audit a refused silence command (`tenant_id`: the tenant it would have acted on,
    if known; handlers.refusals picks the chain); returns the sentence to show."""
    record_refusal(uow, at=at, who=Identity(email=actor.email), actor=actor, verb=verb,
                   reason=reason, tenant_id=tenant_id)
    return reason


async def stranger(db: Store, who: Identity, verb: str, tenant_id: str | None,
                   at: datetime) -> str:
    """Audit a stranger's silence command (in the deployment's chain: no tenant's is
    theirs); returns the sentence to show them."""
    reason = not_known(who)
    async with db.unit() as uow:
        record_refusal(uow, at=at, who=who, actor=None, verb=verb, reason=reason,
                       tenant_id=tenant_id)
    return reason
