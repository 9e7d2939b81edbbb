"""The console's live feed: one poller per process, fanning changes out to the browsers
it serves, each told only about its person's tenants.

A change made anywhere (Slack or Teams on another replica, the command line, another
browser, the scheduler) lands in its tenant's audit chain, so the feed polls the chains'
heads (storage/console_changes.py): one query every `interval` when nothing changed,
and the new events of the tenants whose head moved when something did.

Each subscriber has a bounded queue. One that falls behind (a slow or stalled browser)
has its queue emptied and replaced by a single reload: memory stays bounded, and the
page reloads instead of replaying what it missed. Subscribe before reading the page
the subscription keeps fresh, so nothing committed in between is missed.
"""

import asyncio
import logging
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from storage.console_changes import MAX_EVENTS, Changes, changes_since
from storage.unit import Store

log = logging.getLogger("tandem.console")

INTERVAL = 0.25
QUEUE_SIZE = 64
_BACKOFF = 2.0  # after a failed poll (the database restarting), before the next


@dataclass(frozen=True)
class Update:
    """What changed for one subscriber: alerts by short id, tenants with a change about
    no alert (a silence, an on-call cover), or `reload` (it missed too much: load the
    page afresh)."""

    alerts: frozenset[str] = frozenset()
    tenants: frozenset[str] = frozenset()
    reload: bool = False


RELOAD = Update(reload=True)


class Subscription:
    """A browser's view of the feed, for its person's tenants. `get()` waits for the
    next update; leaving `Feed.watching` (or `close()`) ends it."""

    def __init__(self, tenants: frozenset[str], size: int,
                 closing: Callable[["Subscription"], None]):
        self.tenants = tenants
        self._queue: asyncio.Queue[Update] = asyncio.Queue(size)
        self._closing = closing
        self._reloading = False

    async def get(self) -> Update:
        update = await self._queue.get()
        if update.reload:
            self._reloading = False
        return update

    def pending(self) -> int:
        return self._queue.qsize()

    def offer(self, changes: Changes) -> None:
        """Queue what of `changes` concerns this subscriber's tenants."""
        if self._reloading:
            return  # a reload waits: it covers whatever comes after
        if self.tenants & changes.overflow:
            self._reload()
            return
        alerts = frozenset().union(*(changes.alerts.get(t, ()) for t in self.tenants))
        tenants = self.tenants & (changes.tenant_wide | changes.alerts.keys())
        if not alerts and not tenants:
            return
        try:
            self._queue.put_nowait(Update(alerts, tenants))
        except asyncio.QueueFull:
            self._reload()

    def _reload(self) -> None:
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(RELOAD)
        self._reloading = True

    def close(self) -> None:
        self._closing(self)


class Feed:
    """Polls the audit chains' heads and fans what changed out to its subscribers."""

    def __init__(self, db: Store, *, interval: float = INTERVAL, queue_size: int = QUEUE_SIZE,
                 max_events: int = MAX_EVENTS):
        self._db, self.interval, self._size = db, interval, queue_size
        self._max_events = max_events
        self._cursors: dict[str, int] = {}
        self._subscribers: set[Subscription] = set()

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def subscribe(self, tenants: Collection[str]) -> Subscription:
        subscription = Subscription(frozenset(tenants), self._size, self._subscribers.discard)
        self._subscribers.add(subscription)
        return subscription

    @contextmanager
    def watching(self, tenants: Collection[str]) -> Iterator[Subscription]:
        subscription = self.subscribe(tenants)
        try:
            yield subscription
        finally:
            subscription.close()

    def _watched(self) -> set[str]:
        return set().union(*(s.tenants for s in self._subscribers))

    async def poll(self) -> Changes:
        """One round: read what changed since the last and hand it out. With nobody
        subscribed only the heads are read, to start from there."""
        watched = self._watched()
        cursors = {t: seq for t, seq in self._cursors.items() if t in watched}
        changes = await changes_since(self._db, None, cursors, self._max_events)
        # A tenant first watched while this round read keeps its old cursor: what was
        # committed meanwhile is the next round's news, not skipped.
        joined = {t: self._cursors[t] for t in self._watched() - watched if t in self._cursors}
        self._cursors = changes.heads | joined
        if changes.any:
            for subscription in list(self._subscribers):
                subscription.offer(changes)
        return changes

    async def run(self) -> None:
        """Poll until cancelled; a failed poll is logged and tried again shortly."""
        while True:
            try:
                await self.poll()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database restarting, say: the feed must not die of it
                log.exception("console feed: polling the audit chains failed")
                await asyncio.sleep(_BACKOFF)
            await asyncio.sleep(self.interval)
