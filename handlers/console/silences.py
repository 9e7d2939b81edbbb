"""Silences in the console: the person's tenants' silences, and adding and expiring them
with chat's rules (handlers.silences: a responder of the tenant, at most its
silence_max, a partner's silence restricted to severities a partner may approve).

A tenant the person is not in gets the sentence an unknown one gets, audited in the
deployment's chain: the console never says which other tenants exist.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from handlers.chat import silences as chat_silences
from handlers.commands import Identity
from handlers.config.schema import TandemConfig
from handlers.config.schema import Tenant as TenantConfig
from handlers.console.viewer import not_theirs, tenants_of, viewer
from handlers.people.resolve import Actor, resolve
from handlers.silences import Wanted, add, every_text, parse_matchers, policy, stranger
from handlers.silences.matching import in_force
from handlers.timing import parse_duration, parse_instant
from storage import silences as stored
from storage.models import Silence
from storage.unit import Store

MAX_REASON = 500
_MAX_ID = 2**31 - 1  # silence ids are 32-bit integers on PostgreSQL


@dataclass(frozen=True)
class SilenceRow:
    id: int
    tenant_id: str
    tenant_name: str
    timezone: str
    matchers: dict[str, str]
    reason: str
    created_by: str
    starts_at: datetime
    ends_at: datetime
    every: str | None  # a weekly window in the tenant's time zone: "sun 02:00-04:00"
    in_force: bool  # keeping alerts quiet right now
    may_expire: bool  # the reader may end it (chat's rules)


@dataclass(frozen=True)
class SilenceRequest:
    """The add form, as typed: matchers like chat's ("service=db severity=low"), a
    duration ("2h"), an optional start ("sat 22:00", in the tenant's zone) and window."""

    tenant: str
    matchers: str
    duration: str
    reason: str = ""
    start: str | None = None
    every: str | None = None


def _row(s: Silence, tenant: TenantConfig, actor: Actor, now: datetime) -> SilenceRow:
    return SilenceRow(
        id=s.id, tenant_id=tenant.id, tenant_name=tenant.name, timezone=tenant.timezone,
        matchers=dict(s.matchers), reason=s.reason, created_by=s.created_by,
        starts_at=s.starts_at, ends_at=s.ends_at, every=s.every,
        in_force=in_force(s, ZoneInfo(tenant.timezone), now),
        may_expire=policy.may_act(actor, tenant) is None)


async def silences(db: Store, cfg: TandemConfig, who: Identity,
                   now: datetime | None = None) -> tuple[SilenceRow, ...] | str:
    """Silences in force or still to come in the person's tenants, by tenant name."""
    at = now or datetime.now(UTC)
    actor = await viewer(db, cfg, who, "silence.list", at)
    if isinstance(actor, str):
        return actor
    rows: list[SilenceRow] = []
    async with db.read() as session:
        for tenant in tenants_of(cfg, actor):
            found = await stored.unended(session, tenant.id, at)
            rows += [_row(s, tenant, actor, at) for s in found]
    return tuple(rows)


def _wanted(request: SilenceRequest, tenant: TenantConfig, now: datetime) -> Wanted | str:
    if len(request.reason) > MAX_REASON:
        return f"Silence: a reason is at most {MAX_REASON} characters."
    try:
        matchers = parse_matchers(request.matchers.split())
        length = parse_duration(request.duration.strip())
        every = every_text(request.every) if request.every and request.every.strip() else None
        start = (request.start or "").strip()
        starts = parse_instant(start, ZoneInfo(tenant.timezone), now) if start else now
    except ValueError as error:
        return f"Silence: {error}."
    return Wanted(tenant, matchers, starts, starts + length, request.reason.strip(), every)


async def add_silence(db: Store, cfg: TandemConfig, who: Identity, request: SilenceRequest,
                      now: datetime | None = None) -> SilenceRow | str:
    """The new silence, or the sentence saying why not (a refusal by the rules is
    audited, as in chat)."""
    at = now or datetime.now(UTC)
    actor = resolve(cfg, who)
    tenant = cfg.tenant(request.tenant)
    if actor is None:
        return await stranger(db, who, "silence.add", tenant.id if tenant else None, at)
    if tenant is None or tenant.id not in actor.tenants:
        async with db.unit() as uow:
            return policy.refuse(uow, actor, tenant.id if tenant else None, "silence.add",
                                 not_theirs(request.tenant), at)
    wanted = _wanted(request, tenant, at)
    if isinstance(wanted, str):
        return wanted
    async with db.unit() as uow:
        made = await add(uow, cfg, actor, wanted, at)
    return made if isinstance(made, str) else _row(made, tenant, actor, at)


async def expire_silence(db: Store, cfg: TandemConfig, who: Identity, silence_id: int,
                         now: datetime | None = None) -> tuple[str, bool]:
    """Chat's `silence expire N`: the sentence to show, and whether it was expired."""
    if not 0 < silence_id <= _MAX_ID:
        return f"No silence {silence_id} in your tenants.", False
    return await chat_silences.expire(db, cfg, who, None, silence_id, now or datetime.now(UTC))
