"""Every Slack listener, registered once, explicitly, at start-up."""

import re

from slack_bolt.async_app import AsyncApp

from bot.slack import buttons, forms, typed
from bot.slack.deps import SlackDeps

_ALERT = re.compile(r"^alert\.")  # cards.actions ids: button action_ids and modal callback_ids


def register(bolt: AsyncApp, deps: SlackDeps) -> None:
    async def action(ack, body):
        await buttons.on_action(ack, body, deps)

    async def submission(ack, body):
        await forms.on_submit(ack, body, deps)

    async def command(ack, body, respond):
        await typed.on_command(ack, body, respond, deps)

    async def mention(event, body):
        await typed.on_mention(event, body, deps)

    bolt.action(_ALERT)(action)
    bolt.view_submission(_ALERT)(submission)
    bolt.command("/tandem")(command)
    bolt.event("app_mention")(mention)
