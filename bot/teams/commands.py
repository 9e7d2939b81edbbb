"""Typed commands: "@Tandem claim ACME-1" in a channel, or "claim ACME-1" in a 1:1 chat.

The text goes to handlers.chat, the same parser and runner as Slack's /tandem;
this module only strips the bot's @mention and shows the reply in the thread, escaped
so that titles, notes and what people typed show literally (Teams renders markdown).
"""

import html
import re

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.teams.context import TeamsContext
from bot.teams.learn import channel_of
from cards.chat_text import PlainText
from cards.messages import teams_answer
from handlers.chat import Asked, run
from handlers.commands import Identity

RENDER = PlainText()
_LEADING_MENTION = re.compile(r"^\s*<at>[^<]*</at>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


def command_text(activity: Activity) -> str:
    """The message text without the bot's @mention, HTML or extra whitespace."""
    text = activity.text or ""
    bot = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or ():
        extra = getattr(entity, "additional_properties", None) or {}
        mentioned = extra.get("mentioned") or {}
        if entity.type == "mention" and mentioned.get("id") == bot and extra.get("text"):
            text = text.replace(extra["text"], " ", 1)
    text = _TAGS.sub(" ", _LEADING_MENTION.sub(" ", text))
    return " ".join(html.unescape(text).split())


async def answer(tc: TeamsContext, turn_context: TurnContext, who: Identity) -> None:
    """Run the command in the message and reply in its thread."""
    activity = turn_context.activity
    in_channel = activity.conversation.conversation_type == "channel"
    asked = Asked(who, platform="teams",
                  channel=channel_of(activity.conversation.id) if in_channel else None)
    key = f"teams:{activity.id}" if activity.id else None
    reply = await run(tc.db, tc.cfg, asked, command_text(activity), RENDER, key=key)
    tc.metrics.decided(reply.command, reply.result)
    await turn_context.send_activity(
        Activity(type="message", text=teams_answer(reply.text), text_format="markdown",
                 reply_to_id=activity.id))
