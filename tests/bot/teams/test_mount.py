"""The real app (bot.app.build_app): Teams is mounted when MICROSOFT_APP_ID is set, and its
sender joins the outbox dispatcher, so an ingested alert reaches Teams with no test glue."""

import asyncio
import time

from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_app
from bot.config import Settings
from bot.runtime import Runtime
from tests.conftest import new_alert

from .conftest import CHANNEL, bench, settings_for
from .test_sender import install


async def _wait_for(check, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_without_app_id_there_is_no_teams_endpoint(sqlite_db, cfg):
    runtime = Runtime(Settings(outbox_poll_seconds=0.05), cfg, sqlite_db)
    async with TestClient(TestServer(build_app(runtime))) as client:
        response = await client.post("/api/messages", json={"type": "message"})
        assert response.status in (404, 405)


async def test_the_app_serves_teams_and_delivers_cards(sqlite_db, cfg):
    async with bench(sqlite_db, cfg) as fakes:
        settings = settings_for(fakes.connector, fakes.identity).model_copy(
            update={"outbox_poll_seconds": 0.05})
        runtime = Runtime(settings, cfg, sqlite_db)
        async with TestClient(TestServer(build_app(runtime))) as client:
            refused = await client.post("/api/messages", json=fakes.activity("message"))
            assert refused.status == 401
            fakes.server = client.server  # post through the real app from here on
            await install(fakes)
            short = await new_alert(sqlite_db, cfg)  # its commit wakes the dispatcher
            await _wait_for(lambda: any(c["conversation"] == CHANNEL
                                        for c in fakes.connector.sent("send")))
            card = fakes.connector.sent("send")[-1]["body"]["attachments"][0]["content"]
            assert short in card["body"][0]["text"]
