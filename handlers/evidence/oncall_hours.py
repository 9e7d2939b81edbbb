"""Hours on call per person over the month, from the schedule layers and overrides.

At any instant the people on call are those each layer has on duty (a layer's own
override in place of its rotation), unless a tenant-wide override holds: then its
person alone, as `handlers.oncall.schedule.on_call` answers. Someone on two layers at
once is counted once. The schedule is the configuration in force now; the overrides
are those stored.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from handlers.config.schema import Tenant as TenantConfig
from handlers.evidence.names import Names
from handlers.evidence.view import OnCallHours
from handlers.oncall.overrides import covers
from handlers.oncall.schedule import Cover, changes, layer_duty
from storage.unit import Session


def _on_duty(tenant: TenantConfig, found: Sequence[Cover], at: datetime) -> set[str]:
    wide = next((c for c in reversed(found) if c.layer is None and c.starts_at <= at < c.ends_at),
                None)
    if wide is not None:
        return {wide.email}
    duties = (layer_duty(tenant, layer, found, at).email for layer in tenant.schedules)
    return {email for email in duties if email}


def seconds_on_call(tenant: TenantConfig, found: Sequence[Cover], starts: datetime,
                    ends: datetime) -> dict[str, float]:
    """Seconds on call per email in [starts, ends)."""
    edges = changes(tenant, tenant.schedules, found, starts, ends - starts)
    moments = [starts, *(m for m in edges if m < ends), ends]
    total: dict[str, float] = defaultdict(float)
    for begin, end in zip(moments, moments[1:], strict=False):
        for email in _on_duty(tenant, found, begin):
            total[email] += (end - begin).total_seconds()
    return total


async def on_call_hours(session: Session, tenant: TenantConfig, names: Names,
                        starts: datetime, ends: datetime) -> tuple[OnCallHours, ...]:
    """Per side (internal first), then by name."""
    found = await covers(session, tenant.id, starts, ends - starts)
    hours = [OnCallHours(names.side(email) or "unknown", names.name(email), seconds / 3600)
             for email, seconds in seconds_on_call(tenant, found, starts, ends).items()]
    return tuple(sorted(hours, key=lambda h: (h.side != "internal", h.side, h.person)))
