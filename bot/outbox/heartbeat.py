"""Each running outbox dispatcher's instance id and heartbeat.

A dispatcher (one per `tandem serve` process) writes a row to outbox_instance when it
starts and refreshes its beat_at every `period`; the leases it takes record its id
(outbox.leased_by). Another dispatcher takes over a lease whose instance has not
beaten for `dead_after` (several periods), or whose row is gone, instead of waiting
out the whole lease: a killed process's cards move on within seconds. A clean stop
deletes the row, so its leases are free at once.

The ages are judged on each process's clock, as leases already are: the hosts'
clocks must agree to well within `dead_after` (NTP). A process stalled for longer than
that is taken for dead; the in-flight marker still keeps its first posts single.
"""

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from storage.db import Database
from storage.instances import beat, drop

log = logging.getLogger("tandem.outbox")


class Stopped(Exception):
    """The process stopped before its first beat was recorded (the database was down)."""


def new_instance_id() -> str:
    """Unique per process start, readable in logs: host, pid, and a random part."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(4)}"


class Heartbeat:
    """`async with heartbeat:` beats before the body runs (retrying until the database
    answers), then every `period` until it ends, and drops the row at the end.
    Re-entrant: the outermost use owns the row."""

    def __init__(self, db: Database, instance: str, clock: Callable[[], datetime],
                 period: float, dead_after: timedelta):
        self.db, self.instance, self.clock = db, instance, clock
        self.period, self.dead_after = period, dead_after
        self._users = 0
        self._task: asyncio.Task | None = None
        self._last_ok = float("-inf")  # time.monotonic() of the last recorded beat
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Give up a first beat still being retried: the process is stopping."""
        self._stopping.set()

    @property
    def fresh(self) -> bool:
        """Whether others still see this instance alive (with a beat to spare): when
        not, its leases may already be someone else's, so it should take no new work."""
        spare = self.dead_after.total_seconds() - self.period
        return time.monotonic() - self._last_ok < spare

    async def __aenter__(self) -> "Heartbeat":
        self._users += 1
        if self._users == 1:
            try:
                await self._first_beat()
            except BaseException:
                self._users -= 1
                raise
            self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *_exc) -> None:
        self._users -= 1
        if self._users:
            return
        if self._task is None:  # the first __aenter__ started it
            raise RuntimeError("the heartbeat was left more often than entered")
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        try:
            await drop(self.db, self.instance)
        except Exception:  # the row goes stale instead: others wait a few beats
            log.exception("outbox: could not drop the heartbeat of %s", self.instance)

    async def _beat(self) -> None:
        now = self.clock()
        await beat(self.db, self.instance, now, now - self.dead_after)
        self._last_ok = time.monotonic()

    async def _first_beat(self) -> None:
        while not self._stopping.is_set():
            try:
                return await self._beat()
            except Exception:  # the database is not up yet: no work without a beat
                log.exception("outbox: heartbeat of %s failed; retrying", self.instance)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.period)
        raise Stopped(self.instance)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.period)
            try:
                await self._beat()
            except Exception:  # a database hiccup: the next beat tries again
                log.exception("outbox: heartbeat of %s failed", self.instance)
