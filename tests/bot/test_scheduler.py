"""The scheduler lives and dies with the aiohttp app; jobs are registered in one place."""

import asyncio
from datetime import UTC, datetime

from aiohttp import web
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import select

from bot.config import Settings
from bot.runtime import Runtime
from bot.scheduler import SCHEDULER, Jobs, attach, register_jobs
from fakes.graph import FakeGraph
from storage.models import Alert
from tests.bot.graph.test_security_poller import PAGE
from tests.bot.metrics_scrape import samples, value
from tests.conftest import new_alert
from tests.handlers.escalation.helpers import at, events


def _runtime(db, cfg, **settings) -> Runtime:
    return Runtime(Settings(**settings), cfg, db)


async def _until(condition, rounds: int = 500) -> None:
    """Let the event loop run the scheduled work (no wall-clock waiting involved)."""
    for _ in range(rounds):
        if await condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the scheduled work never happened")


async def test_started_with_the_app_ticks_and_stops_with_it(sqlite_db, cfg):
    short_id = await new_alert(sqlite_db, cfg)
    app = web.Application()
    attach(app, _runtime(sqlite_db, cfg, scheduler=True, escalation_tick_seconds=3600),
           clock=lambda: at(5))
    jobs = app[SCHEDULER]
    assert not jobs.scheduler.running and jobs.ids == []  # nothing before start-up
    runner = web.AppRunner(app)
    await runner.setup()
    assert jobs.scheduler.running
    assert {"digest.acme", "escalation.tick"} <= set(jobs.ids)

    async def pinged() -> bool:
        return len(await events(sqlite_db, "ping", short_id)) == 1

    await _until(pinged)  # the first tick runs at start-up, on the injected clock
    await runner.cleanup()
    assert not jobs.scheduler.running
    counted = samples(jobs.metrics.render().decode())
    assert value(counted, "tandem_escalation_steps_total") == 1
    assert value(counted, "tandem_job_runs_total", job="escalation.tick", outcome="ok") == 1


async def test_off_unless_enabled(sqlite_db, cfg):
    app = web.Application()
    attach(app, _runtime(sqlite_db, cfg, scheduler=False))
    assert SCHEDULER not in app and app.cleanup_ctx == []


async def test_stop_lets_a_running_job_finish(sqlite_db, cfg):
    jobs = Jobs()
    started, release, finished = asyncio.Event(), asyncio.Event(), []

    async def slow() -> None:
        started.set()
        await release.wait()
        finished.append(True)

    jobs.register_job("slow", slow, DateTrigger(datetime.now(UTC)))
    await jobs.start()
    await started.wait()
    stopping = asyncio.create_task(jobs.stop())
    await asyncio.sleep(0)
    assert not stopping.done()  # waiting for the run in flight
    release.set()
    await stopping
    assert finished == [True] and not jobs.scheduler.running


def test_one_function_registers_every_job_with_local_cron_times(sqlite_db, cfg):
    jobs = Jobs(clock=lambda: at(0))
    register_jobs(jobs, _runtime(sqlite_db, cfg, escalation_tick_seconds=15))
    assert jobs.ids == ["digest.acme", "digest.catch-up", "escalation.tick", "silences.end"]
    cron = jobs.scheduler.get_job("digest.acme").trigger
    winter = cron.get_next_fire_time(None, datetime(2026, 11, 20, 0, 0, tzinfo=UTC))
    summer = cron.get_next_fire_time(None, datetime(2026, 7, 1, 0, 0, tzinfo=UTC))
    assert winter.astimezone(UTC) == datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    assert summer.astimezone(UTC) == datetime(2026, 7, 1, 7, 30, tzinfo=UTC)
    tick = jobs.scheduler.get_job("escalation.tick")
    assert tick.trigger.interval.total_seconds() == 15 and tick.max_instances == 1


def test_postgres_also_analyzes_stale_tables_every_half_minute(pg_db, cfg):
    jobs = Jobs(clock=lambda: at(0))
    register_jobs(jobs, _runtime(pg_db, cfg, escalation_tick_seconds=15))
    assert jobs.ids == ["db.analyze", "digest.acme", "digest.catch-up", "escalation.tick",
                        "silences.end"]
    assert jobs.scheduler.get_job("db.analyze").trigger.interval.total_seconds() == 30


async def test_graph_poller_runs_as_a_scheduled_job(sqlite_db, cfg, monkeypatch):
    monkeypatch.setenv("TANDEM_TEST_ACME_GRAPH_SECRET", "s3cret")
    graph = await FakeGraph(pages=[PAGE]).start()
    app = web.Application()
    runtime = _runtime(sqlite_db, cfg, scheduler=True, escalation_tick_seconds=3600,
                       graph_url=f"{graph.base}/v1.0", graph_login_url=graph.base)
    attach(app, runtime, clock=lambda: at(5))
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        assert "graph.acme" in app[SCHEDULER].ids

        async def polled() -> bool:
            async with sqlite_db.read() as s:
                return len((await s.execute(select(Alert))).scalars().all()) == 2

        await _until(polled)
    finally:
        await runner.cleanup()
        await graph.close()
    assert graph.requests and graph.requests[0]["authorization"] == "Bearer graph-token-1"
    counted = samples(app[SCHEDULER].metrics.render().decode())
    assert value(counted, "tandem_graph_polls_total", tenant="acme", outcome="ok") >= 1
    assert value(counted, "tandem_graph_poll_seconds_count", tenant="acme") >= 1
