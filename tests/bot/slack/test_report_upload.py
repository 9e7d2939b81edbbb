"""The monthly report reaches Slack as a file: the real dispatcher and Slack sender against
the fake Slack Web API, through the external upload flow, on SQLite and PostgreSQL."""

import asyncio
import json
import logging

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot.slack.client import base_url
from fakes.slack.api import TOKEN, FakeSlack
from handlers.evidence import delivery
from storage.outbox_models import Outbox
from tests.bot.metrics_scrape import samples, value
from tests.bot.outbox.bench import dispatcher
from tests.conftest import NOW
from tests.handlers.evidence_delivery.helpers import DUE, PDF, Maker, alert_at

FLOW = ("files.getUploadURLExternal", "upload", "files.completeUploadExternal")
TITLE = "Incident-response report for November 2026"


@pytest.fixture
async def fake():
    slack = FakeSlack()
    await slack.start()
    yield slack
    await slack.close()


async def _queued(db, cfg) -> None:
    await alert_at(db, cfg, NOW)
    assert await delivery.send_due(db, cfg, "acme", DUE, Maker()) == 2


async def _slack_row(db) -> Outbox:
    async with db.read() as session:
        return (await session.execute(select(Outbox).where(
            Outbox.kind == "report", Outbox.platform == "slack"))).scalar_one()


def _flow(fake: FakeSlack) -> list[tuple[str, int]]:
    return [(c.method, c.status) for c in fake.calls if c.method in FLOW]


async def test_the_pdf_is_uploaded_and_shared_in_three_steps(db, cfg, fake):
    await _queued(db, cfg)
    async with dispatcher(db, cfg, fake) as running:
        await running.drain()
    assert _flow(fake) == [(step, 200) for step in FLOW]
    [asked] = fake.calls_to("files.getUploadURLExternal")
    assert asked.args["filename"] == "tandem-report-acme-2026-11.pdf"
    assert int(asked.args["length"]) == len(PDF)
    [done] = fake.calls_to("files.completeUploadExternal")
    [shared] = fake.shared("C0OPS")
    assert json.loads(done.args["files"]) == [{"id": shared["id"], "title": TITLE}]
    assert done.args["channel_id"] == "C0OPS"
    assert done.args["initial_comment"] == f"📄 {TITLE} · Acme Ltd"
    assert fake.file_bytes(shared["id"]) == PDF  # byte for byte
    assert (await _slack_row(db)).done_at is not None


async def test_a_failed_upload_and_a_rate_limit_start_the_flow_again(db, cfg, fake):
    await _queued(db, cfg)
    fake.fail(503, times=1, methods=("upload",))
    fake.fail(429, times=1, methods=("files.completeUploadExternal",), retry_after=1)
    async with dispatcher(db, cfg, fake) as running:
        task = asyncio.create_task(running.run())
        await fake.wait_for(lambda: fake.shared("C0OPS"), timeout=15)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert _flow(fake) == [
        ("files.getUploadURLExternal", 200), ("upload", 503),
        ("files.getUploadURLExternal", 200), ("upload", 200), ("files.completeUploadExternal", 429),
        ("files.getUploadURLExternal", 200), ("upload", 200), ("files.completeUploadExternal", 200)]
    [shared] = fake.shared("C0OPS")  # shared once: the uploads never completed are not
    assert fake.file_bytes(shared["id"]) == PDF
    row = await _slack_row(db)
    assert row.done_at is not None and row.attempts == 1  # a rate limit is no attempt


async def test_a_share_whose_answer_was_lost_is_found_and_not_shared_again(db, cfg, fake):
    """files.completeUploadExternal shares the file, then answers 500: the retry finds
    the share in the channel's history (its file name, since the row was queued) and
    uploads nothing more."""
    await _queued(db, cfg)
    fake.fail(500, times=1, methods=("files.completeUploadExternal",), accept_first=True)
    async with dispatcher(db, cfg, fake) as running:
        task = asyncio.create_task(running.run())
        await fake.wait_for(lambda: len(fake.calls_to("conversations.history")) >= 2,
                            timeout=15)
        await running.drain()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert _flow(fake) == [("files.getUploadURLExternal", 200), ("upload", 200),
                           ("files.completeUploadExternal", 500)]
    [shared] = fake.shared("C0OPS")
    assert fake.file_bytes(shared["id"]) == PDF
    row = await _slack_row(db)
    assert row.done_at is not None and row.attempts == 1


async def test_a_channel_slack_does_not_know_fails_the_row_by_name(db, cfg, fake, caplog):
    fake.channels.discard("C0OPS")  # as if the bot was removed from the channel
    await _queued(db, cfg)
    caplog.set_level(logging.WARNING, "tandem.outbox")
    async with dispatcher(db, cfg, fake) as running:
        for _ in range(2):
            await running.drain()
        counted = samples(running.metrics.render().decode())
    row = await _slack_row(db)
    assert row.failed_at is not None and row.done_at is None
    # The look for an earlier share meets the unknown channel first: nothing is uploaded.
    assert row.last_error == "conversations.history: channel_not_found"
    assert _flow(fake) == []
    assert f"outbox: slack report row {row.id} to C0OPS failed (channel_not_found)" in caplog.text
    assert value(counted, "tandem_outbox_deliveries_total", platform="slack", kind="report",
                 outcome="failed", error="channel_not_found") == 1


async def test_the_fake_refuses_what_slack_refuses(fake):
    async with aiohttp.ClientSession() as http:
        client = AsyncWebClient(token=TOKEN, base_url=base_url(fake.url), session=http,
                                retry_handlers=[])
        got = await client.files_getUploadURLExternal(filename="r.pdf", length=len(PDF))
        with pytest.raises(SlackApiError, match="file_not_found"):  # not uploaded yet
            await client.files_completeUploadExternal(files=[{"id": got["file_id"]}],
                                                      channel_id="C0OPS")
        async with http.post(got["upload_url"], data=PDF) as response:
            assert response.status == 200
        with pytest.raises(SlackApiError, match="file_not_found"):
            await client.files_completeUploadExternal(files=[{"id": "F0NOPE"}],
                                                      channel_id="C0OPS")
        with pytest.raises(SlackApiError, match="channel_not_found"):
            await client.files_completeUploadExternal(files=[{"id": got["file_id"]}],
                                                      channel_id="C0NOPE")
        with pytest.raises(SlackApiError, match="missing_argument"):
            await client.files_getUploadURLExternal(filename="empty.pdf", length=0)
        async with http.post(fake.url.replace("/api/", "/upload/v1/nope"), data=PDF) as missing:
            assert missing.status == 404
    assert fake.shared("C0OPS") == []
