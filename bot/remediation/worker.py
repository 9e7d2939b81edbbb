"""The executor worker: carries approved fixes out, each exactly once across the fleet.

It runs beside the outbox dispatcher and under its instance id, so the dispatcher's
heartbeat says whether its leases still hold. It looks for due executions when a
commit queued one (`Database.wake_executions`), on a poll interval, and when a retry
or a poll falls due; storage/executions.py leases each to one replica. An execution
is then launched (or, once running, polled) through the executor of its kind, and
what came back is recorded by handlers.remediation, fenced on the lease.

Secrets are read from the environment as each call is made, by the names the
catalogue gave; they go into the call and nowhere else.
"""

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import aiohttp
from aiohttp import web

from bot.metrics import Metrics
from bot.outbox.delivery import Tuning
from bot.outbox.dispatcher import Dispatcher
from bot.remediation.executor import (
    AppRegistration,
    Endpoint,
    Executor,
    Failed,
    Job,
    Progress,
    Retry,
    State,
)
from bot.remediation.registry import build_executors
from bot.runtime import Runtime
from cards.escape import printable
from handlers.config import ConfigSource
from handlers.remediation import Step, record_step
from storage import executions
from storage.db import Database
from storage.execution_models import Execution
from storage.types import utcnow

log = logging.getLogger("tandem.remediation")
IN_DOUBT = ("Tandem stopped while starting this fix, so it may have run or not; check the "
            "target before retrying or marking it done")


class Executors(Protocol):
    def for_kind(self, kind: str) -> Executor: ...  # KeyError: none carries it out


@dataclass(frozen=True)
class Timing:
    poll_seconds: float = 2.0
    lease_seconds: float = 120.0  # longer than any one call may take
    dead_after: timedelta = Tuning().dead_after  # as the outbox dispatcher's heartbeat has it
    first_look: float = 5.0  # a running action is polled this soon at first
    last_look: float = 60.0  # and at least this often
    backoff_base: float = 2.0
    backoff_cap: float = 300.0
    parallel: int = 8
    batch: int = 100

    def backoff(self, attempts: int, after: float | None) -> float:
        grown = min(self.backoff_base * 2 ** max(attempts - 1, 0), self.backoff_cap)
        return max(grown, after or 0.0)

    def look_again(self, running_for: float) -> float:
        """Poll often at first, then less: most actions end in seconds, a few in hours."""
        return min(max(running_for / 4, self.first_look), self.last_look)


class Worker:
    def __init__(self, db: Database, config: ConfigSource, executors: Executors, instance: str,
                 timing: Timing | None = None, clock: Callable[[], datetime] = utcnow,
                 env: Mapping[str, str] = os.environ, metrics: Metrics | None = None):
        self.db, self.config, self.executors = db, config, executors
        self.instance, self.clock, self.env = instance, clock, env
        self.timing = timing or Timing()
        self.metrics = metrics
        self._event = asyncio.Event()
        self._timers: set[asyncio.TimerHandle] = set()
        self._inflight: dict[int, asyncio.Task] = {}
        self._gate = asyncio.Semaphore(self.timing.parallel)
        self._closed = False

    def wake(self) -> None:
        self._event.set()

    async def run(self) -> None:
        while not self._closed:
            try:
                await self.tick()
            except Exception:  # a database hiccup must not end execution for good
                log.exception("remediation: looking for due fixes failed; retrying")
            timer = asyncio.get_running_loop().call_later(self.timing.poll_seconds,
                                                          self._event.set)
            try:
                await self._event.wait()
            finally:
                timer.cancel()
            self._event.clear()

    async def close(self, grace: float = 5.0) -> None:
        """Stop looking; calls in flight get `grace` seconds to finish (a stop must end
        within 10 s). One cut off is in doubt, and another replica takes it over as soon
        as this process's heartbeat is gone."""
        self._closed = True
        for timer in self._timers:
            timer.cancel()
        self.wake()
        inflight = list(self._inflight.values())
        if not inflight:
            return
        _, late = await asyncio.wait(inflight, timeout=grace)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    async def tick(self) -> int:
        """Start work on every execution due now that is not already in hand (at most
        `parallel` at a time; the rest wait for a free slot, not for the whole batch);
        how many were started."""
        now = self.clock()
        due = await executions.due(self.db, now, now - self.timing.dead_after, self.timing.batch)
        fresh = [i for i in due if i not in self._inflight]
        for execution_id in fresh:
            task = asyncio.create_task(self._guarded(execution_id))
            self._inflight[execution_id] = task
            task.add_done_callback(self._finished(execution_id))
        return len(fresh)

    def _finished(self, execution_id: int) -> Callable[[asyncio.Task], None]:
        def forget(_task: asyncio.Task) -> None:
            self._inflight.pop(execution_id, None)
        return forget

    async def _guarded(self, execution_id: int) -> None:
        async with self._gate:
            try:
                await self.work(execution_id)
            except Exception:  # the lease lapses and another look retries it
                log.exception("remediation: execution %s could not be worked", execution_id)

    async def drain(self) -> None:
        """Work until nothing is due now (tests, one-shot use)."""
        while await self.tick() or self._inflight:
            await asyncio.gather(*list(self._inflight.values()), return_exceptions=True)

    async def work(self, execution_id: int) -> bool:
        now = self.clock()
        leased = await executions.lease(self.db, execution_id, now,
                                        now + timedelta(seconds=self.timing.lease_seconds),
                                        self.instance, now - self.timing.dead_after)
        if leased is None:
            return False
        step = await self._act(leased, now)
        async with self.db.unit() as uow:
            await record_step(uow, self.config.cfg, execution_id, self.instance, step,
                              self.clock())
        if step.next_at is not None:
            self._wake_at(step.next_at)
        self._count(leased.execution.kind, step.state)
        return True

    async def _act(self, leased: executions.Leased, now: datetime) -> Step:
        row = leased.execution
        if leased.found == "queued" and row.expires_at is not None and now > row.expires_at:
            return Step("expired", "the approval ran out before Tandem could start it")
        try:
            executor = self.executors.for_kind(row.kind)
        except KeyError:
            return Step("failed", f"this server carries out no {row.kind} fixes")
        if leased.found == "launching" and row.kind not in executor.repeatable:
            return Step("failed", IN_DOUBT)
        try:
            job = self._job(row)
            if leased.found == "running":
                return self._step(await executor.poll(job), row, now)
            return self._step(await executor.launch(job), row, now)
        except Retry as error:
            wait = self.timing.backoff(row.attempts, error.after)
            return Step("retrying", f"retrying: {printable(str(error))}",
                        next_at=now + timedelta(seconds=wait))
        except Failed as error:
            return Step("failed", printable(str(error)))
        except Exception:  # an executor's bug: retried, never taken for a success
            log.exception("remediation: the %s executor failed unexpectedly", row.kind)
            wait = self.timing.backoff(row.attempts, None)
            return Step("retrying", "retrying after an unexpected error",
                        next_at=now + timedelta(seconds=wait))

    def _step(self, progress: Progress, row: Execution, now: datetime) -> Step:
        detail = printable(progress.detail)
        if progress.state is State.RUNNING:
            started = row.started_at or now
            wait = self.timing.look_again((now - started).total_seconds())
            return Step("running", detail, progress.external_id, now + timedelta(seconds=wait))
        state = "succeeded" if progress.state is State.SUCCEEDED else "failed"
        return Step(state, detail, progress.external_id)

    def _job(self, row: Execution) -> Job:
        """The execution as its executor takes it, with the secrets it needs read now."""
        options = dict(row.options)
        return Job(
            id=row.id, kind=row.kind, tenant_id=row.tenant_id,
            alert=str(options.get("alert", "")), title=str(options.get("title", row.kind)),
            target=dict(row.target), options=options, comment=str(options.get("comment", "")),
            attempt=max(row.attempts - 1, 0), external_id=row.external_id or None,
            app=self._app(row) if row.kind.startswith(("graph.", "defender.")) else None,
            endpoint=self._endpoint(options), payload=_payload(row, options))

    def _env(self, name: str, what: str) -> str:
        value = self.env.get(name, "")
        if not value:
            raise Failed(f"{name} is not set on the Tandem server ({what})")
        return value

    def _app(self, row: Execution) -> AppRegistration:
        tenant = self.config.cfg.tenant(row.tenant_id)
        found = tenant.integrations if tenant else []
        graph = next((i for i in found if i.kind == "graph"), None)
        if graph is None or not (graph.aad_tenant and graph.client_id and graph.client_secret_env):
            raise Failed("the tenant has no graph integration (its Microsoft app registration)")
        secret = self._env(graph.client_secret_env, "the app registration's client secret")
        return AppRegistration(graph.aad_tenant, graph.client_id, secret)

    def _endpoint(self, options: dict) -> Endpoint | None:
        url_env = options.get("url_env")
        if not url_env:
            return None
        secret_env = options.get("secret_env") or options.get("token_env")
        return Endpoint(self._env(url_env, "the fix's endpoint"),
                        self._env(secret_env, "the fix's secret") if secret_env else None)

    def _wake_at(self, when: datetime) -> None:
        loop = asyncio.get_running_loop()
        self._timers = {t for t in self._timers if t.when() > loop.time()}
        delay = max((when - self.clock()).total_seconds(), 0.0) + 0.01
        self._timers.add(loop.call_later(delay, self.wake))

    def _count(self, kind: str, state: str) -> None:
        if self.metrics is not None:
            self.metrics.executions.labels(kind, state).inc()


def _payload(row: Execution, options: dict) -> dict:
    """What a runbook webhook receives: which fix, for which alert, on what, decided by whom."""
    return {"type": "remediation.approved", "execution": row.id, "tenant": row.tenant_id,
            "alert": options.get("alert"), "fix": options.get("fix"),
            "title": options.get("title"), "target": dict(row.target),
            "extra_vars": options.get("extra_vars") or {},
            "proposed_by": options.get("proposed_by"), "approved_by": options.get("approved_by")}


def install(app: web.Application, runtime: Runtime, outbox: Dispatcher,
            metrics: Metrics) -> Worker:
    """Create the executors and the worker, tied to the app's lifetime; commits that
    queue an execution wake it."""
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
    settings = runtime.settings
    executors = build_executors(http, runtime.db, graph_url=settings.graph_url,
                                login_url=settings.graph_login_url,
                                defender_url=settings.defender_url)
    timing = Timing(dead_after=outbox.tuning.dead_after)  # its heartbeat is the worker's
    worker = Worker(runtime.db, runtime, executors, outbox.instance, timing, metrics=metrics)
    runtime.db.wake_executions = worker.wake

    async def lifetime(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(worker.run())
        yield
        await worker.close()
        await task
        await executors.close()
        await http.close()

    app.cleanup_ctx.append(lifetime)
    return worker
