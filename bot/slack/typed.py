"""Commands people type: the /tandem slash command and @Tandem mentions.

Both run handlers.chat, the same command set Teams uses. Answers go only
to the asker unless the command changed shared state.
"""

import logging
import re

from bot.outbox.sender import Permanent, RateLimited, Transient
from bot.slack.deps import SlackDeps
from bot.slack.people import SlackUser, user_of
from bot.slack.replies import ephemeral
from bot.slack.sender import call
from cards.chat_text import PlainText
from cards.messages import slack_answer
from handlers import chat

log = logging.getLogger("tandem.slack")
_MENTION = re.compile(r"<@[A-Z0-9]+>")
_FAILED = "Tandem could not do that just now; please try again."


async def _run(deps: SlackDeps, sender: SlackUser, channel: str | None, text: str,
               key: str | None) -> chat.Reply:
    clicker = await deps.people.identify(sender)
    asked = chat.Asked(clicker.identity, "slack", channel)
    reply = await chat.run(deps.db, deps.cfg, asked, text, PlainText(), key=key,
                           now=deps.clock())
    deps.metrics.decided(reply.command, reply.result)
    return reply


async def on_command(body: dict, respond, deps: SlackDeps) -> None:
    sender = user_of(body)
    trigger = body.get("trigger_id")
    key = f"slack:cmd:{trigger}:{sender.team}:{sender.user}" if trigger else None
    try:
        reply = await _run(deps, sender, body.get("channel_id"), body.get("text") or "", key)
    except Exception:
        log.exception("slack: /tandem failed")
        await respond(**slack_answer(_FAILED), response_type="ephemeral")
        return
    kind = "ephemeral" if reply.ephemeral else "in_channel"
    await respond(**slack_answer(reply.text), response_type=kind)


async def on_mention(event: dict, body: dict, deps: SlackDeps) -> None:
    user = str(event.get("user") or "")
    home = event.get("user_team")  # present for Slack Connect guests
    team = str(home or event.get("team") or body.get("team_id") or "")
    channel = event.get("channel")
    text = _MENTION.sub("", event.get("text") or "").strip()
    try:
        event_id = body.get("event_id")
        key = f"slack:event:{event_id}" if event_id else None
        reply = await _run(deps, SlackUser(team, user, bool(home)), channel, text, key)
    except Exception:
        log.exception("slack: a mention failed")
        await ephemeral(deps.client, channel, user, _FAILED)
        return
    if reply.ephemeral:
        await ephemeral(deps.client, channel, user, reply.text)
        return
    if channel is None:  # Slack sends every app_mention with its channel
        log.warning("slack: could not answer a mention: it names no channel")
        return
    thread = event.get("thread_ts") or event.get("ts")
    try:
        await call("chat.postMessage", deps.client.chat_postMessage(
            channel=channel, thread_ts=thread, **slack_answer(reply.text)))
    except (RateLimited, Transient, Permanent) as error:
        log.warning("slack: could not answer a mention: %s", error)
