"""Notifying people: direct messages and channel mentions, as outbox rows.

The functions here build rows; the caller queues them in its unit of work
(`UnitOfWork.outbox`), next to the audit event that records them. Kind "dm"
(payload {"email", "text"}) goes once per platform the person can be reached on,
kind "text" (payload {"text"}) into the channels the alert is posted in. Someone
reachable on no platform is mentioned in the channels instead: a text row naming a
person carries {"mention": {"email", "name", "at"}} (their name starts at text[at]),
which the platform renders as a real mention. A Teams user who never messaged Tandem
has no conversation to DM them in, so they are mentioned in the Teams channels.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers.config.schema import Person, TandemConfig
from handlers.config.schema import Tenant as TenantConfig
from handlers.enums import Role, Side
from handlers.fanout import Posted, channels_of, outbox_row
from storage import teams as refs
from storage.unit import Session

SYSTEM_ACTOR = "tandem"  # the audit actor of timed, automatic changes


TEAMS_NO_CHAT = "no Teams conversation stored for them (they never messaged Tandem)"


@dataclass(frozen=True)
class Reached:
    email: str | None
    via: tuple[str, ...]  # platforms messaged directly, or ("channel",)
    fallback: str | None = None  # why a DM became a channel mention

    def audit(self) -> dict[str, Any]:
        return {"to": self.email, "via": list(self.via)}

    def fallback_event(self) -> dict[str, Any] | None:
        """Details of the ping.fallback audit event, when a DM could not be sent."""
        return {"to": self.email, "reason": self.fallback} if self.fallback else None


def direct(alert: Posted, who: Person, text: str, at: datetime,
           platforms: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """One "dm" row per platform `who` is on (none when they are on neither), or only
    those of `platforms`."""
    return [
        outbox_row(alert, "dm", platform, f"dm:{who.email}", {"email": who.email, "text": text}, at)
        for platform in who.identities() if platforms is None or platform in platforms
    ]


@dataclass(frozen=True)
class Named:
    """A channel message that names `who`: text is before + their name + after."""

    before: str
    who: Person
    after: str

    def payload(self) -> dict[str, Any]:
        mention = {"email": self.who.email, "name": self.who.name, "at": len(self.before)}
        return {"text": f"{self.before}{self.who.name}{self.after}", "mention": mention}


def in_channels(tenant: TenantConfig, alert: Posted, text: str | Named, at: datetime,
                platform: str | None = None) -> list[dict[str, Any]]:
    """A message in the alert's channels (only `platform`'s, if given)."""
    payload = text.payload() if isinstance(text, Named) else {"text": text}
    return [
        outbox_row(alert, "text", c.platform, c.channel, payload, at)
        for c in channels_of(tenant, alert) if platform is None or c.platform == platform
    ]


async def teams_known(session: Session, people: Sequence[Person]) -> frozenset[str]:
    """The Entra object ids among `people` whom Teams can be asked to message directly
    (they messaged Tandem, so their Teams user id or 1:1 chat is stored)."""
    ids = [p.teams.aad_object_id for p in people if p.teams]
    return await refs.reachable(session, ids) if ids else frozenset()


def reach(
    tenant: TenantConfig,
    alert: Posted,
    who: Person | None,
    direct_text: str,
    channel_text: str | Named,
    at: datetime,
    teams: frozenset[str] | None = None,
) -> tuple[Reached, list[dict[str, Any]]]:
    """DM `who`; when they cannot be messaged directly, say `channel_text` in the channels.

    With `teams` (teams_known), someone on Teams whom Teams cannot DM yet is mentioned
    in the Teams channels instead, and Reached.fallback says so.
    """
    if who is None:
        return Reached(None, ("channel",)), in_channels(tenant, alert, channel_text, at)
    stuck = teams is not None and who.teams is not None and who.teams.aad_object_id not in teams
    platforms = [p for p in who.identities() if not (stuck and p == "teams")]
    rows = direct(alert, who, direct_text, at, platforms)
    if not rows:
        return Reached(who.email, ("channel",)), in_channels(tenant, alert, channel_text, at)
    via = tuple(r["platform"] for r in rows)
    if stuck:
        rows += in_channels(tenant, alert, channel_text, at, platform="teams")
        return Reached(who.email, (*via, "teams channel"), TEAMS_NO_CHAT), rows
    return Reached(who.email, via), rows


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
