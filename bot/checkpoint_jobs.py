"""The daily audit checkpoint jobs (handlers/evidence/checkpoints.py), registered by
bot/scheduler.py: one per tenant at its digest time in its time zone (00:05 local for a
tenant without a digest), and a catch-up when a replica takes the lead.

They run only while a signing key is configured; without one a warning says so once at
start-up. The key is read when a job runs, so a replaced key file is used from the
next run on; a key that has become unusable is logged (never its contents) and that
run makes nothing.
"""

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from bot import signing_key
from bot.runtime import Runtime
from handlers.evidence import (
    KeyProblem,
    Signer,
    checkpoint_time,
    checkpoints_catch_up,
    make_checkpoint,
)


class Jobs(Protocol):
    """What these jobs need of bot/scheduler.py's Jobs (which imports this module)."""

    @property
    def clock(self) -> Callable[[], datetime]: ...
    @property
    def leader(self) -> object | None: ...
    @property
    def on_lead(self) -> dict[str, Callable[[], Awaitable[object]]]: ...

    def register_job(self, job_id: str, func: Callable[[], Awaitable[object]],
                     trigger: BaseTrigger, first_run: datetime | None = None) -> None: ...

log = logging.getLogger("tandem.checkpoints")
PREFIX = "checkpoint."
CATCH_UP = "checkpoint.catch-up"


def _signer(runtime: Runtime) -> Signer | None:
    try:
        return signing_key.signer(runtime.settings)
    except KeyProblem as problem:
        log.error("no audit checkpoint made: %s", problem)
        return None


def _job(runtime: Runtime, clock: Callable[[], datetime],
         tenant_id: str | None) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        signer = _signer(runtime)
        if signer is None:
            return
        if tenant_id is None:
            await checkpoints_catch_up(runtime.db, runtime.cfg, signer, clock())
        else:
            await make_checkpoint(runtime.db, runtime.cfg, signer, tenant_id, clock())
    return run


def register(jobs: Jobs, runtime: Runtime) -> None:
    """At start-up: the catch-up (on taking the lead, or now without leadership), or the
    warning that no checkpoints are made."""
    if not signing_key.configured(runtime.settings):
        log.warning("no signing key (TANDEM_SIGNING_KEY_FILE or TANDEM_SIGNING_KEY): no "
                    "daily audit checkpoints are made")
        return
    catch_up = _job(runtime, jobs.clock, None)
    if jobs.leader is None:
        jobs.register_job(CATCH_UP, catch_up, DateTrigger(jobs.clock()))
    else:
        jobs.on_lead[CATCH_UP] = catch_up


def register_tenants(jobs: Jobs, runtime: Runtime) -> None:
    """Each tenant's daily checkpoint, as the configuration in force says (the scheduler
    removes the previous ones first)."""
    if not signing_key.configured(runtime.settings):
        return
    for tenant in runtime.cfg.tenants:
        at = checkpoint_time(tenant)
        cron = CronTrigger(hour=at.hour, minute=at.minute, timezone=tenant.timezone)
        jobs.register_job(f"{PREFIX}{tenant.id}", _job(runtime, jobs.clock, tenant.id), cron)
