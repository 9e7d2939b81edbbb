"""The outbox dispatcher, shared by every chat platform.

Outbox rows are written by handlers/fanout.py in the same transaction as each
change. The dispatcher finds due rows for the platforms it has a Sender for, and
runs one worker task per channel, so a slow or rate-limited channel never holds up
another. It wakes on a poll interval, when `wake()` is called (after every commit
that queued outbox rows: bot.app points `Database.wake_outbox` at it), and when a
deferred retry falls due. Several processes may run it on one PostgreSQL database:
see storage/outbox.py for how work is leased, and bot/outbox/heartbeat.py for how a
dead process's leases are taken back.
"""

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from bot.metrics import Metrics
from bot.outbox.delivery import (
    Channel,
    Tuning,
    claim_cards,
    deliver_card,
    deliver_row,
    post_notes,
)
from bot.outbox.heartbeat import Heartbeat, Stopped, new_instance_id
from bot.outbox.pacing import Pacer, Pacing
from bot.outbox.sender import Sender
from bot.runtime import Runtime
from handlers.config import ConfigSource
from storage import outbox
from storage.db import Database
from storage.types import utcnow

log = logging.getLogger("tandem.outbox")
ChannelKey = tuple[str, str]  # (platform, channel)


@dataclass(frozen=True)
class _Registered:
    sender: Sender
    pacing: Pacing


class Dispatcher:
    def __init__(self, db: Database, config: ConfigSource, tuning: Tuning | None = None,
                 clock: Callable[[], datetime] = utcnow, metrics: Metrics | None = None,
                 instance: str | None = None):
        self.db, self.config, self.clock = db, config, clock
        self.metrics = metrics or Metrics()
        self.tuning = tuning or Tuning()
        self.instance = instance or new_instance_id()
        self.heartbeat = Heartbeat(db, self.instance, clock, self.tuning.heartbeat_seconds,
                                   self.tuning.dead_after)
        self._senders: dict[str, _Registered] = {}
        self._pacers: dict[ChannelKey, Pacer] = {}
        self._workers: dict[ChannelKey, asyncio.Task] = {}
        self._noting: dict[ChannelKey, list[asyncio.Task]] = {}  # thread notes being posted
        self._note_turns: dict[ChannelKey, asyncio.Lock] = {}
        self._dirty: set[ChannelKey] = set()
        self._timers: set[asyncio.TimerHandle] = set()
        self._rechecks: dict[outbox.Unit, float] = {}  # finished lane -> when to look again
        self._event = asyncio.Event()
        self._closed = False

    def add_sender(self, sender: Sender, pacing: Pacing) -> None:
        self._senders[sender.platform] = _Registered(sender, pacing)
        self.wake()

    async def remove_sender(self, platform: str) -> None:
        """Stop delivering to `platform`; its in-flight work resumes on the next start."""
        self._senders.pop(platform, None)
        noting = [t for (p, _), tasks in self._noting.items() if p == platform for t in tasks]
        await self._cancel([t for (p, _), t in self._workers.items() if p == platform] + noting)

    def wake(self, channels: Collection[ChannelKey] = ()) -> None:
        """Look for work now (call after committing something that enqueued rows). Given
        the rows' channels (of the platforms this dispatcher delivers to), each gets its
        worker at once, without a scan: one already running takes one more look, an idle
        channel's starts. A burst of clicks on one channel then costs no scans."""
        mine = [key for key in channels if key[0] in self._senders]
        if not mine or self._closed or not self.heartbeat.fresh:
            self._event.set()
            return
        for key in mine:
            if self._running(key):
                self._dirty.add(key)
            else:
                self._workers[key] = asyncio.create_task(self._worker(key))

    def _running(self, key: ChannelKey) -> bool:
        task = self._workers.get(key)
        return task is not None and not task.done()

    async def run(self) -> None:
        """Deliver until close() (or cancellation), beating all along."""
        log.info("outbox: dispatcher %s starting", self.instance)
        try:
            async with self.heartbeat:
                while not self._closed:
                    try:
                        await self._scan()
                    except Exception:  # a database hiccup must not end delivery for good
                        log.exception("outbox: scan failed; retrying")
                    await asyncio.sleep(self.tuning.scan_gap)  # a burst of wake()s: one scan
                    await self._idle()
        except Stopped:
            log.info("outbox: dispatcher %s stopped before the database answered", self.instance)

    async def _idle(self) -> None:
        """Wait for wake() or the poll interval. (Not asyncio.wait_for: on Python 3.11 it
        can swallow a cancellation that arrives as the wait ends.)"""
        timer = asyncio.get_running_loop().call_later(self.tuning.poll_seconds, self._event.set)
        try:
            await self._event.wait()
        finally:
            timer.cancel()
        self._event.clear()

    async def drain(self) -> None:
        """Deliver everything due now and return (tests, benchmarks, one-shot use)."""
        async with self.heartbeat:
            while True:
                await self._scan()
                running = [t for t in self._workers.values() if not t.done()]
                running += [t for tasks in self._noting.values() for t in tasks if not t.done()]
                if not running:
                    return
                await asyncio.gather(*running, return_exceptions=True)

    async def close(self) -> None:
        """Stop run() and every worker; unfinished work resumes on the next start."""
        self._closed = True
        self.heartbeat.stop()
        self.wake()
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        await self._cancel([*self._workers.values(),
                            *(t for tasks in self._noting.values() for t in tasks)])

    async def _cancel(self, tasks: list[asyncio.Task]) -> None:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _scan(self) -> None:
        if not self.heartbeat.fresh:
            log.warning("outbox: %s has not beaten lately; taking no new work", self.instance)
            return
        await self._recheck_due()
        busy = {key for key in self._workers if self._running(key)}
        self._dirty |= busy  # a running worker looks once more before it stops
        due = await outbox.due_channels(self.db, sorted(self._senders), self.clock(), busy,
                                        self._alive_since())
        for key in due:
            if self._closed:
                return
            self._workers[key] = asyncio.create_task(self._worker(key))

    def _alive_since(self) -> datetime:
        """A lease's instance must have beaten since then, or the lease is void."""
        return self.clock() - self.tuning.dead_after

    def _retry_at(self, when: datetime) -> None:
        """Wake when a deferred retry falls due (other processes' retries: the poll)."""
        self._wake_in((when - self.clock()).total_seconds())

    def _recheck_later(self, unit: outbox.Unit) -> None:
        self._rechecks[unit] = time.monotonic() + self.tuning.recheck_seconds
        self._wake_in(self.tuning.recheck_seconds)

    def _wake_in(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self._timers = {t for t in self._timers if t.when() > loop.time()}
        self._timers.add(loop.call_later(max(seconds, 0.0) + 0.01, self.wake, ()))

    async def _recheck_due(self) -> None:
        now = time.monotonic()
        due = [unit for unit, at in self._rechecks.items() if at <= now]
        for unit in due:
            del self._rechecks[unit]
        if due:
            await outbox.recheck(self.db, due, self.clock())

    def _channel(self, key: ChannelKey) -> Channel | None:
        registered = self._senders.get(key[0])
        if registered is None:
            return None
        pacer = self._pacers.get(key)
        if pacer is None or pacer.pacing != registered.pacing:
            pacer = self._pacers[key] = Pacer(registered.pacing, self.db, *key)
        deliveries = self.metrics.deliveries
        return Channel(self.db, self.config.cfg, self.tuning, self.clock, registered.sender,
                       pacer,
                       self._retry_at, self._recheck_later,
                       lambda kind, outcome, code: deliveries.labels(
                           key[0], kind, outcome, code).inc(),
                       self.instance)

    async def _worker(self, key: ChannelKey) -> None:
        try:
            self._dirty.discard(key)
            while await self._batch(key) or key in self._dirty:
                self._dirty.discard(key)
        except Exception:
            log.exception("outbox: worker for %s %s failed; it restarts on the next scan", *key)

    async def _batch(self, key: ChannelKey) -> bool:
        """One batch of a channel's due work; False when there was nothing to do."""
        ch = self._channel(key)
        if ch is None:
            return False
        pacing = ch.pacer.pacing
        units = await outbox.due_work(self.db, [key[0]], self.clock(), self.tuning.batch, key[1],
                                      self._alive_since(), math.ceil(pacing.per_second),
                                      pacing.pace_updates)
        claimed = await claim_cards(ch, [u for u in units if u.kind == "card"])
        gate = asyncio.Semaphore(self.tuning.parallel_cards)

        async def card(work: outbox.CardWork) -> outbox.CardWork | None:
            async with gate:
                return await deliver_card(ch, work)

        for noting in await asyncio.gather(*(card(work) for work in claimed)):
            if noting is not None:
                self._note_later(key, ch, noting)
        moved = [await deliver_row(ch, u) for u in units if u.kind != "card"]
        return bool(claimed) or any(moved)

    def _note_later(self, key: ChannelKey, ch: Channel, work: outbox.CardWork) -> None:
        """Post a lane's thread notes after the round, one lane's at a time per channel,
        while the worker goes on with the next round: the notes are paced posts, and the
        cards of later clicks must not wait behind them. The lane stays leased until its
        notes are in."""
        tasks = [t for t in self._noting.get(key, []) if not t.done()]
        tasks.append(asyncio.create_task(self._post_notes(key, ch, work)))
        self._noting[key] = tasks

    async def _post_notes(self, key: ChannelKey, ch: Channel, work: outbox.CardWork) -> None:
        async with self._note_turns.setdefault(key, asyncio.Lock()):
            try:
                await post_notes(ch, work)
            except Exception:
                log.exception("outbox: notes for %s %s failed; the lane is retried", *key)


def install(app: web.Application, runtime: Runtime, metrics: Metrics) -> Dispatcher:
    """Create the dispatcher and tie its background task to the app's lifetime. It
    polls the database, so rows re-queued by another process (`tandem outbox retry`)
    are delivered within a poll interval."""
    dispatcher = Dispatcher(runtime.db, runtime,
                            Tuning(poll_seconds=runtime.settings.outbox_poll_seconds,
                                   heartbeat_seconds=runtime.settings.heartbeat_seconds),
                            metrics=metrics)

    async def lifetime(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(dispatcher.run())
        yield
        await dispatcher.close()
        await task

    app.cleanup_ctx.append(lifetime)
    return dispatcher
