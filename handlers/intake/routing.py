"""Routing rules: first match wins; decides channels, severity, initial side, suppression."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.config.hours import BusinessHours
from handlers.config.schema import Match, RoutingRule, SideByHours, Tenant
from handlers.enums import Severity, Side
from handlers.intake.types import AlertIn


@dataclass(frozen=True)
class Route:
    channels: tuple[str, ...] = ()  # empty: all of the tenant's channels
    severity: Severity | None = None
    side: Side | None = None
    suppress: bool = False


def in_business_hours(hours: BusinessHours, timezone: str, at: datetime) -> bool:
    return hours.window.holds(at.astimezone(ZoneInfo(timezone)))


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
