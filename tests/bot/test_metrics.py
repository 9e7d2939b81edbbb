"""/metrics after real deliveries through the fake Slack Web API: the outbox backlog read
at scrape time, deliveries by outcome and error code (each failure logged once), and
scheduler job runs with their durations. SQLite and PostgreSQL."""

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestServer
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import func, select

from bot.app import METRICS, build_app
from bot.config import Settings
from bot.metrics import Metrics
from bot.runtime import open_runtime
from bot.scheduler import Jobs
from storage.outbox_models import Outbox
from tests.conftest import DATA, NOW, new_alert

from .metrics_scrape import samples, scrape, value
from .outbox.bench import dispatcher
from .outbox.test_dispatcher import card_posts

SLACK_CARDS = {"platform": "slack", "kind": "card"}


@pytest.fixture
async def server(db_url, tokens):
    """The whole app with no chat platform configured: rows queue up undelivered until
    the test delivers them with a dispatcher of its own."""
    runtime = await open_runtime(Settings(database_url=db_url, config=DATA / "config.yaml"))
    server = TestServer(build_app(runtime), host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()
    await runtime.close()


async def undelivered(db, channel: str) -> int:
    async with db.read() as s:
        query = select(func.count()).where(Outbox.channel == channel,
                                           Outbox.done_at.is_(None))
        return (await s.execute(query)).scalar_one()


async def test_backlog_moves_with_deliveries(server, db, cfg, fake_slack):
    before = await scrape(server)
    assert value(before, "tandem_outbox_pending", **SLACK_CARDS) is None  # nothing queued yet
    for _ in range(3):
        await new_alert(db, cfg, "acme")
    queued = await scrape(server)
    rows = await undelivered(db, "C0OPS")
    assert rows >= 3
    assert value(queued, "tandem_outbox_pending", **SLACK_CARDS) == rows
    assert value(queued, "tandem_outbox_failed_rows", **SLACK_CARDS) == 0
    age = (datetime.now(UTC) - NOW).total_seconds()  # the alerts were queued due at NOW
    oldest = value(queued, "tandem_outbox_oldest_due_seconds", platform="slack")
    assert oldest is not None and age - 5 < oldest <= age + 5

    async with dispatcher(db, cfg, fake_slack, metrics=server.app[METRICS]) as running:
        await running.drain()
    delivered = await scrape(server)
    assert await undelivered(db, "C0OPS") == 0 and len(card_posts(fake_slack)) == 3
    assert value(delivered, "tandem_outbox_pending", **SLACK_CARDS) == 0
    assert value(delivered, "tandem_outbox_oldest_due_seconds", platform="slack") == 0
    assert value(delivered, "tandem_outbox_deliveries_total", platform="slack", kind="card",
                 outcome="sent", error="") == 3


async def test_failures_count_under_their_error_and_are_logged_once(server, db, cfg,
                                                                   fake_slack, caplog):
    retried, refused = await new_alert(db, cfg, "acme"), await new_alert(db, cfg, "globex")
    fake_slack.fail(503, times=1, channels=("C0OPS",))
    fake_slack.channels.discard("C0ALERTS")  # the bot was removed from globex's channel
    caplog.set_level(logging.WARNING, "tandem.outbox")
    async with dispatcher(db, cfg, fake_slack, metrics=server.app[METRICS]) as running:
        await running.drain()
        await asyncio.sleep(0.1)  # past the retry's backoff
        await running.drain()
    got = await scrape(server)
    deliveries = "tandem_outbox_deliveries_total"
    assert value(got, deliveries, platform="slack", kind="card", outcome="retried",
                 error="http_503") == 1
    assert value(got, deliveries, platform="slack", kind="card", outcome="failed",
                 error="channel_not_found") == 1
    assert value(got, deliveries, platform="slack", kind="card", outcome="sent", error="") == 1
    assert value(got, "tandem_outbox_failed_rows", platform="slack", kind="card") == \
        await undelivered(db, "C0ALERTS") > 0
    assert value(got, "tandem_outbox_pending", platform="slack", kind="card") == 0
    lines = [r.getMessage() for r in caplog.records
             if r.name == "tandem.outbox" and r.levelno == logging.WARNING]
    [retry_line] = [line for line in lines if retried in line]
    [refusal] = [line for line in lines if refused in line]
    assert "slack" in retry_line and "C0OPS" in retry_line and "(http_503)" in retry_line
    assert "C0ALERTS" in refusal and "(channel_not_found)" in refusal
    assert len(lines) == 2
    assert not any("Disk full" in line or "xoxb" in line for line in lines)  # no body, token


async def test_job_runs_are_counted_with_their_duration():
    metrics = Metrics()
    jobs = Jobs(metrics=metrics)

    async def slow() -> None:
        await asyncio.sleep(0.05)

    async def broken() -> None:
        raise RuntimeError("boom")

    jobs.register_job("slow", slow, DateTrigger(datetime.now(UTC)))
    jobs.register_job("broken", broken, DateTrigger(datetime.now(UTC)))
    await jobs.start()
    for _ in range(300):
        got = samples(metrics.render().decode())
        if value(got, "tandem_job_seconds_count", job="slow") and \
                value(got, "tandem_job_seconds_count", job="broken"):
            break
        await asyncio.sleep(0.01)
    await jobs.stop()
    assert value(got, "tandem_job_runs_total", job="slow", outcome="ok") == 1
    assert value(got, "tandem_job_runs_total", job="broken", outcome="failed") == 1
    assert value(got, "tandem_job_seconds_count", job="slow") == 1
    assert 0.05 <= value(got, "tandem_job_seconds_sum", job="slow") < 1
    assert value(got, "tandem_job_seconds_bucket", job="slow", le="0.025") == 0
