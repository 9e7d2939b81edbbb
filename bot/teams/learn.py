"""Conversation references learnt from install events and messages, so Tandem can post
into a tenant's channel and DM a person later, unprompted.

A channel conversation id seen in a thread carries ";messageid=..."; the channel itself
is the part before it, which is what the configuration names.
"""

import logging
from datetime import UTC, datetime

from botbuilder.schema import Activity, ChannelAccount

from bot.teams.context import TeamsContext
from storage import teams as refs

log = logging.getLogger(__name__)


def channel_of(conversation_id: str) -> str:
    return conversation_id.split(";messageid=", 1)[0]


def _tenant(activity: Activity) -> str | None:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant")
    from_data = tenant.get("id") if isinstance(tenant, dict) else None
    return getattr(activity.conversation, "tenant_id", None) or from_data


def _team(activity: Activity, field: str = "id") -> str | None:
    """The team's thread id, or with field="aadGroupId" its Microsoft 365 group id."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    team = data.get("team")
    found = team.get(field) if isinstance(team, dict) else None
    return found if isinstance(found, str) else None


def _configured_email(tc: TeamsContext, aad_object_id: str) -> str | None:
    person = tc.cfg.people_by.get(("teams", aad_object_id))
    return person.email if person else None


def _humans(activity: Activity) -> list[ChannelAccount]:
    bot = activity.recipient.id if activity.recipient else None
    people = [activity.from_property, *(activity.members_added or [])]
    return [p for p in people if p and p.aad_object_id and p.id != bot]


async def remember(tc: TeamsContext, activity: Activity, email: str | None = None) -> None:
    """Store the activity's channel and the people in it; `email` is the sender's."""
    if not activity.conversation or not activity.service_url:
        return
    now = datetime.now(UTC)
    common = {"service_url": activity.service_url, "at": now, "aad_tenant_id": _tenant(activity),
              "bot_id": activity.recipient.id if activity.recipient else None}
    kind = activity.conversation.conversation_type
    sender = activity.from_property.id if activity.from_property else None
    async with tc.db.unit() as uow:
        session = await uow.session()
        if kind == "channel":
            await refs.save(session, refs.CHANNEL, channel_of(activity.conversation.id),
                            team_id=_team(activity), team_group_id=_team(activity, "aadGroupId"),
                            **common)
        for person in _humans(activity):
            chat = activity.conversation.id if kind == "personal" else None
            known = _configured_email(tc, person.aad_object_id)
            await refs.save(session, refs.PERSON, person.aad_object_id, user_id=person.id,
                            conversation_id=chat,
                            email=known or (email if person.id == sender else None), **common)


def _event(activity: Activity) -> tuple[str | None, str | None]:
    """(eventType, channel id) from Teams channelData, e.g. ("channelCreated", "19:...")."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    channel = data.get("channel")
    return data.get("eventType"), channel.get("id") if isinstance(channel, dict) else None


async def remember_channels(tc: TeamsContext, activity: Activity) -> None:
    """On install into a team, every channel of it; on channelCreated, the new one."""
    team = _team(activity)
    bot = activity.recipient.id if activity.recipient else None
    installed = any(m.id == bot for m in activity.members_added or ())
    event, channel = _event(activity)
    if not team or not activity.service_url or not (installed or event == "channelCreated"):
        return
    channels = [channel] if event == "channelCreated" and channel else []
    if installed:
        try:
            channels = await tc.connectors.team_channels(activity.service_url, team)
        except Exception as error:  # the install itself must not fail over this
            log.warning("could not list the channels of a team: %s", error)
    now = datetime.now(UTC)
    async with tc.db.unit() as uow:
        session = await uow.session()
        for channel_id in channels:
            await refs.save(session, refs.CHANNEL, channel_id, service_url=activity.service_url,
                            at=now, team_id=team, team_group_id=_team(activity, "aadGroupId"),
                            aad_tenant_id=_tenant(activity), bot_id=bot)
