"""On-call overrides ("covers") in the database: added from chat or the CLI, audited."""

from datetime import datetime, timedelta

from handlers.config.schema import TandemConfig
from handlers.config.schema import Tenant as TenantConfig
from handlers.enums import Role
from handlers.oncall.schedule import HORIZON, Cover
from storage import overrides as stored
from storage.unit import Session, UnitOfWork

LONGEST = timedelta(days=31)


class CoverRefused(ValueError):
    """An override that cannot be stored; the message says why."""


async def covers(session: Session, tenant_id: str, start: datetime,
                 horizon: timedelta = HORIZON) -> list[Cover]:
    """Overrides overlapping [start, start + horizon], oldest first (newer ones win)."""
    rows = await stored.overlapping(session, tenant_id, start, start + horizon)
    return [Cover(r.email, r.starts_at, r.ends_at, r.layer) for r in rows]


def _problem(cfg: TandemConfig, tenant: TenantConfig, email: str, starts: datetime,
             ends: datetime, layer: str | None, now: datetime) -> str | None:
    person = cfg.person(email)
    if person is None or tenant.id not in person.tenants:
        return f"{email} is not a configured person of {tenant.name}."
    if Role.RESPONDER not in person.roles:
        return f"Covering on-call needs the responder role, which {person.name} lacks."
    if layer is not None and layer not in {s.name for s in tenant.schedules}:
        known = ", ".join(s.name for s in tenant.schedules) or "none configured"
        return f"{tenant.name} has no on-call layer {layer!r} (layers: {known})."
    if ends <= starts:
        return "An override must end after it starts."
    if ends <= now:
        return "That override would already be over."
    if ends - starts > LONGEST:
        return f"An override may last at most {LONGEST.days} days; change the schedule instead."
    return None


async def add(uow: UnitOfWork, cfg: TandemConfig, tenant: TenantConfig, email: str,
              starts: datetime, ends: datetime, *, actor: str, now: datetime,
              layer: str | None = None) -> Cover:
    """Store and audit an override; raises CoverRefused naming the problem."""
    email = email.strip().lower()
    problem = _problem(cfg, tenant, email, starts, ends, layer, now)
    if problem:
        raise CoverRefused(problem)
    row_id = await stored.add(await uow.session(), tenant.id, layer, email, starts, ends,
                              actor, now)
    side = person.side.value if (person := cfg.person(actor)) else None
    uow.audit(tenant.id, [dict(
        at=now, actor=actor, actor_side=side, verb="oncall.override",
        details={"override": row_id, "email": email, "layer": layer,
                 "starts": starts.isoformat(), "ends": ends.isoformat()},
    )])
    return Cover(email, starts, ends, layer)
