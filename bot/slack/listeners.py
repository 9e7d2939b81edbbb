"""Every Slack listener, registered once, explicitly, at start-up.

Each acknowledges first (Slack wants the HTTP answer within 3 s) and hands the work
to a background task, so the answer leaves as soon as the request is verified.
(bolt's lazy listeners would deep-copy the request, client session and all.)
"""

import asyncio
import logging
import re
from collections.abc import Coroutine

from slack_bolt.async_app import AsyncApp

from bot.slack import buttons, forms, typed
from bot.slack.deps import SlackDeps

log = logging.getLogger("tandem.slack")
_ALERT = re.compile(r"^alert\.")  # cards.actions ids: button action_ids and modal callback_ids


class Background:
    """The work started after each ack, a few at a time: a burst of clicks then queues
    for the database instead of crowding out the answers to the clicks behind it."""

    def __init__(self, parallel: int = 4) -> None:
        self._tasks: set[asyncio.Task] = set()
        self._gate = asyncio.Semaphore(parallel)

    def start(self, work: Coroutine) -> None:
        task = asyncio.create_task(self._run(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, work: Coroutine) -> None:
        async with self._gate:
            await work

    async def close(self, grace: float = 5.0) -> None:
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)


def register(bolt: AsyncApp, deps: SlackDeps, work: Background) -> None:
    async def action(ack, body):
        await ack()
        work.start(buttons.on_action(body, deps))

    async def submission(ack, body):
        await ack()
        work.start(forms.on_submit(body, deps))

    async def command(ack, body, respond):
        await ack()
        work.start(typed.on_command(body, respond, deps))

    async def mention(ack, event, body):
        await ack()
        work.start(typed.on_mention(event, body, deps))

    bolt.action(_ALERT)(action)
    bolt.view_submission(_ALERT)(submission)
    bolt.command("/tandem")(command)
    bolt.event("app_mention")(mention)
