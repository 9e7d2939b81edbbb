"""The daily checkpoint jobs: registered with each tenant's digest time (00:05 local for a
tenant without one) only while a signing key is configured; the catch-up makes the day's
checkpoints with the key read from the settings."""

import asyncio
import logging
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.config import Settings
from bot.runtime import Runtime
from bot.scheduler import Jobs, register_jobs, register_tenant_jobs
from handlers.evidence import generate_key
from storage.checkpoint_models import AuditCheckpoint
from tests.conftest import new_alert
from tests.evidence.history import DAY1

PEM = generate_key().pem().decode()


def _runtime(db, cfg, **settings) -> Runtime:
    return Runtime(Settings(**settings), cfg, db)


def test_with_a_key_each_tenant_gets_a_daily_checkpoint_at_its_digest_time(sqlite_db, cfg):
    jobs = Jobs(clock=lambda: DAY1)
    runtime = _runtime(sqlite_db, cfg, signing_key=PEM)
    register_jobs(jobs, runtime)
    assert {"checkpoint.acme", "checkpoint.globex", "checkpoint.catch-up"} <= set(jobs.ids)
    acme = jobs.scheduler.get_job("checkpoint.acme").trigger
    globex = jobs.scheduler.get_job("checkpoint.globex").trigger
    winter = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    assert acme.get_next_fire_time(None, winter) == datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    assert globex.get_next_fire_time(None, winter) == datetime(2026, 11, 20, 5, 5, tzinfo=UTC)
    register_tenant_jobs(jobs, runtime, [])  # a reload keeps the catch-up
    assert {"checkpoint.acme", "checkpoint.globex", "checkpoint.catch-up"} <= set(jobs.ids)


def test_without_a_key_none_and_one_warning_at_start_up(sqlite_db, cfg, caplog):
    jobs = Jobs(clock=lambda: DAY1)
    runtime = _runtime(sqlite_db, cfg)
    register_jobs(jobs, runtime)
    register_tenant_jobs(jobs, runtime, [])
    assert not [job for job in jobs.ids if job.startswith("checkpoint.")]
    warned = [r.getMessage() for r in caplog.records
              if r.name == "tandem.checkpoints" and r.levelno == logging.WARNING]
    assert warned == ["no signing key (TANDEM_SIGNING_KEY_FILE or TANDEM_SIGNING_KEY): no "
                      "daily audit checkpoints are made"]


async def _count(db) -> int:
    async with db.read() as session:
        return (await session.execute(select(func.count()).select_from(AuditCheckpoint))).scalar()


async def test_the_catch_up_makes_the_day_s_checkpoints(sqlite_db, cfg, tmp_path, caplog):
    await new_alert(sqlite_db, cfg)
    await new_alert(sqlite_db, cfg, "globex")
    jobs = Jobs(clock=lambda: DAY1)
    register_jobs(jobs, _runtime(sqlite_db, cfg, signing_key=PEM))
    await jobs.start()
    for _ in range(500):
        if await _count(sqlite_db) == 2:
            break
        await asyncio.sleep(0.01)
    await jobs.stop()
    assert await _count(sqlite_db) == 2
    # A key file that has become unreadable: that run makes nothing, and says why.
    gone = tmp_path / "gone.pem"
    broken = Jobs(clock=lambda: DAY1)
    register_jobs(broken, _runtime(sqlite_db, cfg, signing_key_file=gone))
    job = broken.scheduler.get_job("checkpoint.catch-up")
    await job.func(*job.args)
    [error] = [r.getMessage() for r in caplog.records if r.name == "tandem.checkpoints"
               and r.levelno == logging.ERROR]
    assert error == (f"no audit checkpoint made: cannot read the signing key file {gone}: "
                     "No such file or directory")
