"""Notifying people: direct messages and channel mentions, as outbox rows.

The functions here build rows; the caller queues them in its unit of work
(`storage.pending.outbox`), next to the audit event that records them. Kind "dm"
(payload {"email", "text"}) goes once per platform the person can be reached on,
kind "text" (payload {"text"}) into the channels the alert is posted in. Someone
reachable on no platform is mentioned in the channels instead.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from handlers.config import Person, TandemConfig
from handlers.config import Tenant as TenantConfig
from handlers.enums import Role, Side
from handlers.fanout import channels_of, outbox_row
from storage.models import Alert

SYSTEM_ACTOR = "tandem"  # the audit actor of timed, automatic changes


@dataclass(frozen=True)
class Reached:
    email: str | None
    via: tuple[str, ...]  # platforms messaged directly, or ("channel",)

    def audit(self) -> dict:
        return {"to": self.email, "via": list(self.via)}


def person(cfg: TandemConfig, email: str | None) -> Person | None:
    return next((p for p in cfg.people if p.email == email), None) if email else None


def _platforms(who: Person) -> list[str]:
    return [name for name, known in (("slack", who.slack), ("teams", who.teams)) if known]


def direct(alert: Alert, who: Person, text: str, at: datetime) -> list[dict]:
    """One "dm" row per platform `who` is on (none when they are on neither)."""
    return [
        outbox_row(alert, "dm", platform, f"dm:{who.email}", {"email": who.email, "text": text}, at)
        for platform in _platforms(who)
    ]


def in_channels(tenant: TenantConfig, alert: Alert, text: str, at: datetime) -> list[dict]:
    return [
        outbox_row(alert, "text", c.platform, c.channel, {"text": text}, at)
        for c in channels_of(tenant, alert)
    ]


def reach(
    tenant: TenantConfig,
    alert: Alert,
    who: Person | None,
    direct_text: str,
    channel_text: str,
    at: datetime,
) -> tuple[Reached, list[dict]]:
    """DM `who`; when they cannot be messaged directly, say `channel_text` in the channels."""
    rows = direct(alert, who, direct_text, at) if who else []
    if rows:
        return Reached(who.email, tuple(r["platform"] for r in rows)), rows
    fallback = in_channels(tenant, alert, channel_text, at)
    return Reached(who.email if who else None, ("channel",)), fallback


def approvers(
    cfg: TandemConfig, tenant_id: str, exclude: str, internal_only: bool
) -> Sequence[Person]:
    """The tenant's approvers who may decide a fix proposed by `exclude`."""
    return [
        p
        for p in cfg.people
        if tenant_id in p.tenants
        and Role.APPROVER in p.roles
        and p.email != exclude
        and (not internal_only or p.side is Side.INTERNAL)
    ]
