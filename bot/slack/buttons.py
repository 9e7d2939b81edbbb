"""Card buttons (block_actions): acknowledged first, then run through the command API.

A button's value is a versioned pointer (cards.actions.ButtonPayload), never an
authority: the command reloads the alert and checks policy, and a stale version is
refused with the current card. The card itself is updated by the outbox, from the
row the command enqueued in its own transaction.
"""

import logging

from bot.slack import forms
from bot.slack.deps import SlackDeps
from bot.slack.people import Clicker, SlackUser, user_of
from bot.slack.replies import carry_out, ephemeral
from cards import actions as A
from cards.chat_text import PlainText
from handlers import chat, storms
from handlers.commands import Command

log = logging.getLogger("tandem.slack")
_READS = {A.HISTORY: "history", A.REFRESH: "show"}


def channel_of(body: dict) -> str | None:
    channel = (body.get("channel") or {}).get("id")
    return channel or (body.get("container") or {}).get("channel_id")


def _raw_value(action: dict) -> str:
    """A button carries `value`; an overflow menu the chosen option's value."""
    return action.get("value") or (action.get("selected_option") or {}).get("value") or ""


async def on_action(body: dict, deps: SlackDeps) -> None:
    sender = user_of(body)
    channel = channel_of(body)
    try:
        await _handle(deps, body, sender, channel)
    except Exception:  # the click was acknowledged; say it failed rather than stay silent
        log.exception("slack: a button click failed")
        await ephemeral(deps.client, channel, sender.user,
                        "Tandem could not do that just now; please try again.")


async def _handle(deps: SlackDeps, body: dict, sender: SlackUser, channel: str | None) -> None:
    user = sender.user
    action = (body.get("actions") or [{}])[0]
    try:
        button = A.ButtonPayload.decode(_raw_value(action))
    except ValueError as error:
        await ephemeral(deps.client, channel, user, f"Tandem could not read that button: {error}.")
        return
    clicker = await deps.people.identify(sender)
    if button.action in _READS:
        await _read(deps, clicker, button, channel, user)
        return
    if button.action == A.OPEN:
        await _open(deps, clicker, button, channel, user)
        return
    if button.action in A.FORM_ACTIONS and clicker.email and await forms.open_form(
            deps, body, button, clicker, channel, user):
        return
    verb = A.command_verb(button.action)
    key = f"slack:{action.get('action_ts')}:{sender.team}:{user}"
    cmd = Command(verb, button.alert_id, clicker.identity, {}, idempotency_key=key,
                  seen_version=button.version)
    await carry_out(deps, cmd, channel, user)


async def _read(deps: SlackDeps, clicker: Clicker, button: A.ButtonPayload, channel: str | None,
                user: str) -> None:
    asked = chat.Asked(clicker.identity, "slack", channel)
    reply = await chat.run(deps.db, deps.cfg, asked,
                                    f"{_READS[button.action]} {button.alert_id}", PlainText())
    if button.action == A.REFRESH and reply.view is not None:
        await ephemeral(deps.client, channel, user, f"{reply.view.short_id} now:", reply.view)
        return
    await ephemeral(deps.client, channel, user, reply.text)


async def _open(deps: SlackDeps, clicker: Clicker, button: A.ButtonPayload, channel: str | None,
                user: str) -> None:
    """A storm card's Open: the alert's own card is posted in the channel (outbox)."""
    if channel is None:
        await ephemeral(deps.client, channel, user, "Open works from a storm card in a channel.")
        return
    said = await storms.open_alone(deps.db, deps.cfg, clicker.identity, button.alert_id, "slack",
                                   channel, deps.clock())
    await ephemeral(deps.client, channel, user, said)
