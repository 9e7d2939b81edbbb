"""Answers only the asker sees (chat.postEphemeral), and running a clicked or submitted
command: its decision counted, its result shown.

Every answer goes out as rich text (cards.messages.slack_answer): it quotes titles,
notes, reasons and what the person typed, and Slack parses no markup or mention in it.
"""

import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.outbox.sender import Permanent, RateLimited, Transient
from bot.slack.deps import SlackDeps
from bot.slack.sender import call
from cards.messages import slack_answer
from cards.slack import MAX_BLOCKS, render_alert
from handlers.commands import Command, Outcome
from handlers.lifecycle import execute
from handlers.views import AlertView

log = logging.getLogger("tandem.slack")


async def ephemeral(client: AsyncWebClient, channel: str | None, user: str, text: str,
                    view: AlertView | None = None) -> None:
    """Show `text` (and the alert's current card, if given) to one person only."""
    shown = slack_answer(text)
    if view is not None:
        shown["blocks"] = [*shown["blocks"], *render_alert(view)["blocks"]][:MAX_BLOCKS]
    try:
        if channel:
            await call("chat.postEphemeral", client.chat_postEphemeral(
                channel=channel, user=user, **shown))
        else:  # e.g. a modal opened outside a channel: the app's direct message with them
            await call("chat.postMessage", client.chat_postMessage(channel=user, **shown))
    except (RateLimited, Transient, Permanent) as error:
        log.warning("slack: could not show an answer to %s: %s", user, error)


async def carry_out(deps: SlackDeps, cmd: Command, channel: str | None, user: str) -> None:
    """Run a button's or a modal's command. A done one updates the shared card (through
    the outbox); anything else is told to the clicker alone, with the current card when
    theirs was stale (a lost claim race included: the loser sees who holds it now)."""
    result = await execute(deps.db, deps.cfg, cmd, deps.clock())
    deps.metrics.decided(cmd, result)
    if result.ok:
        return
    view = result.view if result.outcome in (Outcome.STALE, Outcome.CONFLICT) else None
    await ephemeral(deps.client, channel, user, result.message, view)
