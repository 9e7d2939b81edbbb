"""Commits accepted events durably before the HTTP answer, grouping concurrent requests.

Group commit: requests that arrive while a transaction is running wait for the next
one, which ingests all of them together, so one fsync (SQLite) or one round of
commits (PostgreSQL) serves many requests. If a grouped transaction fails, each
request is retried alone so one bad request never fails its neighbours.

Under steady load the groups would split in two: the one request that arrives while a
group commits starts the next group alone, and the group's answered clients come back
just after it started. So, like PostgreSQL's commit_delay, a group waits a moment
(`linger`, at most) for the queue to fill to about the size of recent groups; the
expected size decays when groups stop filling, so light traffic soon stops waiting.
"""

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from handlers.config import ConfigSource
from handlers.intake import AlertIn, Ingested, ingest_many
from storage.db import Database
from storage.errors import retryable

_RETRIES = 4


class Overloaded(Exception):
    """Too many requests are waiting for the database; the client should retry."""


@dataclass
class _Batch:
    tenant_id: str
    events: list[AlertIn]
    done: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class Committer:
    def __init__(
        self,
        db: Database,
        config: ConfigSource,
        *,
        max_waiting: int = 2000,
        max_group: int = 256,
        linger: float = 0.008,
        clock: Callable[[], datetime] | None = None,
    ):
        self._db, self._config = db, config
        self._queue: list[_Batch] = []
        self._max_waiting, self._max_group = max_waiting, max_group
        self._clock = clock or (lambda: datetime.now(UTC))
        self._worker: asyncio.Task | None = None
        self._linger, self._expected = linger, 0
        self._filled = asyncio.Event()

    @property
    def expected_group(self) -> int:
        """How many requests the next group waits for, under load."""
        return self._expected

    async def submit(self, tenant_id: str, events: list[AlertIn]) -> list[Ingested]:
        if len(self._queue) >= self._max_waiting:
            raise Overloaded(f"{len(self._queue)} requests already waiting for the database")
        batch = _Batch(tenant_id, events)
        self._queue.append(batch)
        if len(self._queue) >= self._expected:
            self._filled.set()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain())
        return await batch.done

    async def _drain(self) -> None:
        while self._queue:
            await self._fill()
            group, self._queue = self._queue[: self._max_group], self._queue[self._max_group :]
            self._expected = max(len(group), self._expected * 3 // 4) * 9 // 10
            await self._commit_group(group)

    async def _fill(self) -> None:
        if len(self._queue) >= self._expected:
            return
        self._filled.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._filled.wait(), self._linger)

    async def _commit_group(self, group: list[_Batch]) -> None:
        try:
            results = await self._transaction(group)
        except Exception as error:  # handed to the waiting request, which maps it to a 4xx/5xx
            if len(group) == 1:
                if not group[0].done.done():
                    group[0].done.set_exception(error)
                return
            for batch in group:  # isolate the failure: each request alone
                await self._commit_group([batch])
            return
        for batch, result in zip(group, results, strict=True):
            if not batch.done.done():
                batch.done.set_result(result)

    async def _transaction(self, group: list[_Batch]) -> list[list[Ingested]]:
        for attempt in range(_RETRIES):
            try:
                return await self._ingest_all(group)
            except Exception as error:
                if not retryable(error) or attempt == _RETRIES - 1:
                    raise
                await asyncio.sleep(0.005 * (attempt + 1))
        raise AssertionError("unreachable")

    async def _ingest_all(self, group: list[_Batch]) -> list[list[Ingested]]:
        """One ingest_many per tenant over the whole group, split back per request."""
        now = self._clock()
        by_tenant: dict[str, list[_Batch]] = {}
        for batch in group:
            by_tenant.setdefault(batch.tenant_id, []).append(batch)
        results: dict[int, list[Ingested]] = {}
        cfg = self._config.cfg  # the configuration in force when the group commits
        async with self._db.unit() as uow:
            for tenant_id, batches in by_tenant.items():
                events = [e for batch in batches for e in batch.events]
                done = await ingest_many(uow, cfg, cfg.known_tenant(tenant_id),
                                         events, now)
                for batch in batches:
                    results[id(batch)], done = done[: len(batch.events)], done[len(batch.events):]
        return [results[id(batch)] for batch in group]
