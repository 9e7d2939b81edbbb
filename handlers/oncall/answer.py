"""The `oncall` answer for chat and the CLI: who is on now and next, and covers.

Slack, Teams and `tandem oncall` all call these, so the wording lives here once.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.commands import Identity
from handlers.config.schema import TandemConfig
from handlers.config.schema import Tenant as TenantConfig
from handlers.oncall import overrides
from handlers.oncall.overrides import CoverRefused
from handlers.oncall.schedule import Turn, turn
from handlers.people.refusals import record_refusal
from handlers.people.resolve import Actor, resolve
from handlers.timing.parse import parse_range
from handlers.views import DutyView, OnCallView, PersonView
from storage.unit import Store

COVER_USAGE = "Usage: oncall cover START END, e.g. oncall cover tomorrow 18:00-22:00"


def person_view(cfg: TandemConfig, email: str | None) -> PersonView | None:
    person = cfg.person(email)
    return PersonView(person.email, person.name, person.side) if person else None


def _duty(cfg: TandemConfig, layer: str | None, found: Turn) -> DutyView:
    return DutyView(
        layer=layer,
        person=person_view(cfg, found.now.email),
        until=found.until,
        next_person=person_view(cfg, found.next.email if found.next else None),
        next_from=found.next_from,
        override=found.now.override,
    )


async def view(db: Store, cfg: TandemConfig, tenant: TenantConfig, at: datetime) -> OnCallView:
    async with db.read() as session:
        found = await overrides.covers(session, tenant.id, at)
    layers = tuple(_duty(cfg, layer.name, turn(tenant, found, at, layer))
                   for layer in tenant.schedules)
    return OnCallView(tenant.id, tenant.name, tenant.timezone, at,
                      _duty(cfg, None, turn(tenant, found, at)), layers)


def _when(at: datetime, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %H:%M %Z")


def _line(duty: DutyView, timezone: str) -> str:
    who = duty.person.label if duty.person else "nobody"
    if duty.override:
        who += " (override)"
    if duty.until:
        who += f" until {_when(duty.until, timezone)}"
    if duty.next_person and duty.next_from:
        who += f"; next {duty.next_person.label} from {_when(duty.next_from, timezone)}"
    return who


def describe(found: OnCallView) -> str:
    """Plain text: the overall answer, then one line per layer."""
    if not found.layers:
        return f"No on-call schedule is configured for {found.tenant_name}."
    lines = [f"On call for {found.tenant_name} at {_when(found.at, found.timezone)}:",
             f"Now: {_line(found.overall, found.timezone)}"]
    lines += [f"  {d.layer}: {_line(d, found.timezone)}" for d in found.layers]
    return "\n".join(lines)


async def cover(db: Store, cfg: TandemConfig, tenant: TenantConfig, email: str,
                starts: datetime, ends: datetime, *, actor: str, now: datetime,
                layer: str | None = None) -> str:
    """Store an override; returns the sentence to show. Raises CoverRefused, once the
    refusal is audited (in a unit of its own: the refused one wrote nothing)."""
    try:
        async with db.unit() as uow:
            done = await overrides.add(uow, cfg, tenant, email, starts, ends,
                                       actor=actor, now=now, layer=layer)
    except CoverRefused as error:
        async with db.unit() as uow:
            record_refusal(uow, at=now, who=Identity(email=actor),
                           actor=resolve(cfg, Identity(email=actor)), verb="oncall.override",
                           reason=str(error), tenant_id=tenant.id)
        raise
    who = person_view(cfg, done.email)
    if who is None:  # overrides.add refuses anyone who is not a configured person
        raise RuntimeError(f"{done.email} covers on-call but is not configured")
    scope = f"the {layer} layer of {tenant.name}" if layer else tenant.name
    return (f"{who.label} is on call for {scope} from {_when(starts, tenant.timezone)} "
            f"until {_when(ends, tenant.timezone)}.")


async def chat(db: Store, cfg: TandemConfig, actor: Actor, tenants: list[TenantConfig],
               rest: str, now: datetime) -> tuple[str, bool]:
    """`oncall` shows each tenant; `oncall cover START END` makes the asker cover one.

    Returns the answer and whether it changed shared state.
    """
    words = rest.split(maxsplit=1)
    if not words:
        shown = [describe(await view(db, cfg, t, now)) for t in tenants]
        return "\n\n".join(shown) or f"{actor.name} is not a member of any tenant.", False
    if words[0].lower() != "cover" or len(words) < 2:
        return COVER_USAGE, False
    if len(tenants) != 1:
        return "You work for several tenants; run this in that tenant's alert channel.", False
    tenant = tenants[0]
    try:
        starts, ends = parse_range(words[1], ZoneInfo(tenant.timezone), now)
    except ValueError as error:
        return f"{error}. {COVER_USAGE}", False
    try:
        return await cover(db, cfg, tenant, actor.email, starts, ends,
                           actor=actor.email, now=now), True
    except CoverRefused as error:
        return str(error), False
