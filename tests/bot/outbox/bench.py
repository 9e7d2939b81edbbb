"""A dispatcher with the real Slack sender against the fake, for the outbox tests."""

from contextlib import asynccontextmanager

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.outbox.delivery import Tuning
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.pacing import Pacing
from bot.slack.client import base_url
from bot.slack.sender import SlackSender
from fakes.slack.api import TOKEN, FakeSlack
from tests.fixed import Fixed

QUICK = Pacing(500.0)
FAST = Tuning(poll_seconds=0.05, lease_seconds=30.0, backoff_base=0.02, backoff_cap=0.2)


@asynccontextmanager
async def dispatcher(db, cfg, fake: FakeSlack, *, tuning: Tuning = FAST,
                     pacing: Pacing = QUICK, **kw):
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(token=TOKEN, base_url=base_url(fake.url), session=session,
                                retry_handlers=[])
        running = Dispatcher(db, Fixed(cfg), tuning, **kw)
        running.add_sender(SlackSender(client), pacing)
        try:
            yield running
        finally:
            await running.close()
