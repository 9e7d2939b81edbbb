"""Routing rules: first match wins; decides channels, severity, initial side, suppression."""

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from handlers.config import BusinessHours, Match, RoutingRule, SideByHours, Tenant
from handlers.enums import Severity, Side
from handlers.intake_types import AlertIn

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Route:
    channels: tuple[str, ...] = ()  # empty: all of the tenant's channels
    severity: Severity | None = None
    side: Side | None = None
    suppress: bool = False


def _day_set(spec: str) -> set[int]:
    days: set[int] = set()
    for part in spec.lower().split(","):
        first, _, last = part.strip().partition("-")
        start = _DAYS.index(first)
        end = _DAYS.index(last) if last else start
        days.update(range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)])
    return days


def in_business_hours(hours: BusinessHours, timezone: str, at: datetime) -> bool:
    local = at.astimezone(ZoneInfo(timezone))
    start, end = time.fromisoformat(hours.start), time.fromisoformat(hours.end)
    return local.weekday() in _day_set(hours.days) and start <= local.time() < end


def _matches(match: Match, alert: AlertIn) -> bool:
    if match.severity and alert.severity not in match.severity:
        return False
    if match.source and alert.source not in match.source:
        return False
    return all(alert.labels.get(k) == v for k, v in match.labels.items())


def _side(rule: RoutingRule, tenant: Tenant, at: datetime) -> Side | None:
    if isinstance(rule.side, SideByHours):
        inside = in_business_hours(tenant.business_hours, tenant.timezone, at)
        return rule.side.in_hours if inside else rule.side.out_of_hours
    return rule.side


def route(tenant: Tenant, alert: AlertIn, at: datetime) -> Route:
    for rule in tenant.routing:
        if _matches(rule.match, alert):
            return Route(
                tuple(rule.channels), rule.severity, _side(rule, tenant, at), rule.suppress
            )
    return Route()
