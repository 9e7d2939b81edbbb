"""Background jobs on APScheduler, tied to the aiohttp app's lifetime.

`register_jobs` is the one place a job is registered: the escalation tick (which
also wakes snoozed alerts and runs approval reminders), the silence tick (at the
same interval: alerts whose silence has ended come back), each tenant's daily digest
and audit checkpoint (bot/checkpoint_jobs.py) on a cron in the tenant's time zone, the
digest and checkpoint catch-ups at start-up, each tenant's monthly report (when the app
is given its PDF maker: on the first of the month from the digest time, or 08:00 local,
hourly until that day ends) with its own catch-up and, on
PostgreSQL, the ANALYZE of tables whose statistics are stale (storage/statistics.py). Other
periodic work (e.g. the Graph poller) is added there with `Jobs.register_job`. The
per-tenant jobs (digests, Graph pollers) are in `register_tenant_jobs`, which a
configuration reload (bot/reload.py) runs again.
Nothing registers on import. The scheduler starts when the app starts and, on
cleanup, stops taking new runs and lets running ones finish before shutting down.

Every replica registers every job, but runs them only while it holds the lead
(storage/leadership.py): one replica at a time polls Microsoft Graph, ticks the
escalation timers and sends the digests. The others try to take the lead every
LEAD_SECONDS, so when the leader stops or dies another one runs the jobs within
seconds; the one that takes the lead also runs the digest catch-up. Every job is
idempotent through the database besides, so two replicas that both believed they
led for a moment would not ping or post twice. A job that queues outbox rows wakes
the dispatcher through its units of work.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime

import aiohttp
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import checkpoint_jobs
from bot.graph.security_poller import SecurityPoller
from bot.graph.setup import security_pollers
from bot.metrics import Metrics
from bot.runtime import Runtime
from handlers import digest, escalation, silences
from handlers.evidence import MakePdf, catch_up_reports, report_send_time, send_due_reports
from handlers.timing import parse_clock
from storage.leadership import Leadership, leadership
from storage.statistics import analyze_stale
from storage.types import utcnow

log = logging.getLogger("tandem.scheduler")
Job = Callable[[], Awaitable[object]]
STOP_GRACE_SECONDS = 10.0
ANALYZE_SECONDS = 30  # a new database's tables grow fastest in its first minutes
LEAD_SECONDS = 5.0


class Jobs:
    """An AsyncIOScheduler that knows which of its runs are in flight, and counts and
    times each run (tandem_job_runs_total, tandem_job_seconds)."""

    def __init__(self, clock: Callable[[], datetime] = utcnow, metrics: Metrics | None = None,
                 leader: Leadership | None = None):
        self.clock = clock
        self.metrics = metrics or Metrics()
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.leader = leader  # None: this process runs every job (tests, one-shot use)
        self.on_lead: dict[str, Job] = {}  # run once each time this replica takes the lead
        self._running: set[asyncio.Task] = set()
        self._campaign: asyncio.Task | None = None

    def register_job(self, job_id: str, func: Job, trigger: BaseTrigger,
                     first_run: datetime | None = None) -> None:
        """Run `func` on `trigger` (first at `first_run` if given); a run never overlaps
        the previous one, and runs missed while busy merge into one."""
        extra = {"next_run_time": first_run} if first_run else {}
        self.scheduler.add_job(self._run, trigger, args=(job_id, func), id=job_id, name=job_id,
                               max_instances=1, coalesce=True, misfire_grace_time=None,
                               replace_existing=True, **extra)

    async def _run(self, job_id: str, func: Job) -> None:
        if self.leader is not None and not self.leader.held:
            return
        task = asyncio.current_task()
        if task is None:  # apscheduler's AsyncIOScheduler runs coroutine jobs as tasks
            raise RuntimeError(f"job {job_id} runs outside an asyncio task")
        self._running.add(task)
        started, outcome = time.perf_counter(), "failed"
        try:
            await func()
            outcome = "ok"
        except Exception:  # one failed run must not stop the job; the next run retries
            log.exception("job %s failed", job_id)
        finally:
            self._running.discard(task)
            self.metrics.job_runs.labels(job_id, outcome).inc()
            self.metrics.job_seconds.labels(job_id).observe(time.perf_counter() - started)

    @property
    def ids(self) -> list[str]:
        return sorted(job.id for job in self.scheduler.get_jobs())

    async def start(self, every: float = LEAD_SECONDS) -> None:
        """Start the scheduler; with a leader, try for the lead now and every `every`."""
        if self.leader is not None:
            await self._try_lead()
            self._campaign = asyncio.create_task(self._campaign_every(every))
        self.scheduler.start()

    async def _campaign_every(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            await self._try_lead()

    async def _try_lead(self) -> None:
        if self.leader is None:
            return
        was = self.leader.held
        try:
            leads = await self.leader.try_lead()
        except Exception as error:  # the database is away: try again on the next round
            log.warning("cannot reach the database to take the lead: %s", type(error).__name__)
            leads = self.leader.held
        self.metrics.leader.set(1 if leads else 0)
        if leads and not was:
            log.info("this replica takes the lead: it runs the fleet's jobs")
            for job_id, func in self.on_lead.items():
                self.register_job(job_id, func, DateTrigger(self.clock()))
        elif was and not leads:
            log.warning("this replica lost the lead; another one runs the jobs")

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """No new runs; wait up to `grace` seconds for running ones, then shut down and
        hand the lead over."""
        if self._campaign is not None:
            self._campaign.cancel()
            await asyncio.gather(self._campaign, return_exceptions=True)
        if self.scheduler.running:
            self.scheduler.pause()
            if self._running:
                await asyncio.wait(set(self._running), timeout=grace)
            self.scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler finishes shutting down on the next turn
        if self.leader is not None:
            await self.leader.step_down()
            self.metrics.leader.set(0)


def _timers(runtime: Runtime, jobs: Jobs) -> Job:
    async def run() -> None:
        now = jobs.clock()
        jobs.metrics.escalation_steps.inc(await escalation.tick(runtime.db, runtime.cfg, now))
        for outcome in await escalation.remind_approvers(runtime.db, runtime.cfg, now):
            jobs.metrics.approval_reminders.labels(outcome).inc()
    return run


def _silences(runtime: Runtime, jobs: Jobs) -> Job:
    async def run() -> None:
        await silences.tick(runtime.db, runtime.cfg, jobs.clock())
    return run


def _digest(runtime: Runtime, jobs: Jobs, tenant_id: str | None) -> Job:
    async def run() -> None:
        now = jobs.clock()
        if tenant_id is None:
            await digest.catch_up(runtime.db, runtime.cfg, now)
        else:
            await digest.send_due(runtime.db, runtime.cfg, tenant_id, now)
    return run


def _report(runtime: Runtime, jobs: Jobs, tenant_id: str | None, make_pdf: MakePdf) -> Job:
    async def run() -> None:
        now = jobs.clock()
        if tenant_id is None:
            await catch_up_reports(runtime.db, runtime.cfg, now, make_pdf)
        else:
            await send_due_reports(runtime.db, runtime.cfg, tenant_id, now, make_pdf)
    return run


def _on_lead(jobs: Jobs, job_id: str, func: Job, start: datetime) -> None:
    """A catch-up: once at start-up, or each time this replica takes the lead (the
    digest's is registered the same way)."""
    if jobs.leader is None:
        jobs.register_job(job_id, func, DateTrigger(start))
    else:
        jobs.on_lead[job_id] = func


def _analyze(runtime: Runtime) -> Job:
    async def run() -> None:
        if analyzed := await analyze_stale(runtime.db):
            log.info("analyzed tables with stale statistics: %s", ", ".join(analyzed))
    return run


def register_jobs(jobs: Jobs, runtime: Runtime, pollers: Sequence[SecurityPoller] = (),
                  make_pdf: MakePdf | None = None) -> None:
    """Every background job, registered here and nowhere else; the monthly reports only
    with `make_pdf`."""
    every = runtime.settings.escalation_tick_seconds
    start = jobs.clock()
    jobs.register_job("escalation.tick", _timers(runtime, jobs), IntervalTrigger(seconds=every),
                      first_run=start)
    jobs.register_job("silences.end", _silences(runtime, jobs), IntervalTrigger(seconds=every),
                      first_run=start)
    catch_up = _digest(runtime, jobs, None)
    if jobs.leader is None:
        jobs.register_job("digest.catch-up", catch_up, DateTrigger(start))
    else:
        jobs.on_lead["digest.catch-up"] = catch_up
    if make_pdf is not None:
        _on_lead(jobs, "report.catch-up", _report(runtime, jobs, None, make_pdf), start)
    if runtime.db.dialect == "postgresql":
        jobs.register_job("db.analyze", _analyze(runtime), IntervalTrigger(seconds=ANALYZE_SECONDS))
    checkpoint_jobs.register(jobs, runtime)
    register_tenant_jobs(jobs, runtime, pollers, make_pdf)


# Prefixes of the jobs a tenant's configuration sets, and the catch-ups that share them.
TENANT_JOBS = ("digest.", "graph.", "report.", checkpoint_jobs.PREFIX)
CATCH_UPS = ("digest.catch-up", "report.catch-up", checkpoint_jobs.CATCH_UP)


def register_tenant_jobs(jobs: Jobs, runtime: Runtime, pollers: Sequence[SecurityPoller],
                         make_pdf: MakePdf | None = None) -> None:
    """Each tenant's digest cron, monthly report cron and Graph poller, as the configuration
    in force says; on a reload, the ones it no longer has are removed and the others
    replaced."""
    for job in jobs.scheduler.get_jobs():
        if job.id.startswith(TENANT_JOBS) and job.id not in CATCH_UPS:
            job.remove()
    for tenant in runtime.cfg.tenants:
        if tenant.digest is not None:
            at = parse_clock(tenant.digest.at)
            cron = CronTrigger(hour=at.hour, minute=at.minute, timezone=tenant.timezone)
            jobs.register_job(f"digest.{tenant.id}", _digest(runtime, jobs, tenant.id), cron)
        if make_pdf is not None:
            at = report_send_time(tenant)  # then hourly: a failed generation is retried
            monthly = CronTrigger(day=1, hour=f"{at.hour}-23", minute=at.minute,
                                  timezone=tenant.timezone)
            jobs.register_job(f"report.{tenant.id}",
                              _report(runtime, jobs, tenant.id, make_pdf), monthly)
    checkpoint_jobs.register_tenants(jobs, runtime)
    for poller in pollers:
        jobs.register_job(f"graph.{poller.tenant_id}", poller.poll,
                          IntervalTrigger(seconds=poller.every.total_seconds()),
                          first_run=jobs.clock())


SCHEDULER = web.AppKey("scheduler", Jobs)


def attach(app: web.Application, runtime: Runtime, metrics: Metrics | None = None,
           clock: Callable[[], datetime] = utcnow, make_pdf: MakePdf | None = None) -> None:
    """Run the jobs while the app runs (unless TANDEM_SCHEDULER is off); the monthly
    reports when given `make_pdf`."""
    if not runtime.settings.scheduler:
        return
    jobs = app[SCHEDULER] = Jobs(clock, metrics, leadership(runtime.db))

    async def lifetime(_app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as http:
            pollers = security_pollers(runtime.db, runtime.cfg, runtime.settings, http,
                                       jobs.metrics)

            async def swapped() -> None:
                """A reload: the tenants' jobs and pollers as the new configuration says."""
                nonlocal pollers
                old, pollers = pollers, security_pollers(runtime.db, runtime.cfg,
                                                         runtime.settings, http, jobs.metrics)
                register_tenant_jobs(jobs, runtime, pollers, make_pdf)
                for poller in old:
                    await poller.close()

            register_jobs(jobs, runtime, pollers, make_pdf)
            await jobs.start()
            runtime.on_swap.append(swapped)
            log.info("scheduler started: %s", ", ".join(jobs.ids))
            yield
            runtime.on_swap.remove(swapped)
            await jobs.stop()
            for poller in pollers:
                await poller.close()
            log.info("scheduler stopped")

    app.cleanup_ctx.append(lifetime)
