"""The live feed: a change committed by another replica reaches a subscriber within a
poll, only subscribers of its tenant hear of it, and a slow one costs bounded memory.
On SQLite and PostgreSQL."""

import asyncio
import contextlib
import time
from datetime import timedelta

from sqlalchemy import event

from handlers.console import RELOAD, Feed, SilenceRequest, add_silence
from handlers.enums import Verb
from storage.console_changes import changes_since
from tests.conftest import NOW
from tests.handlers.console.helpers import GINA, SAM, alert, run


def _reader(db):
    """The engine the feed's reads go through."""
    return (db.read_engine or db.engine).sync_engine


async def test_a_change_on_another_replica_reaches_the_subscriber(replicas, cfg):
    here, there, _ = replicas
    short = await alert(there, cfg)
    feed = Feed(here)
    await feed.poll()
    with feed.watching({"acme"}) as sub:
        await run(there, cfg, Verb.CLAIM, short, SAM)
        await feed.poll()
        assert sub.pending() == 1
        update = await sub.get()
    assert update.alerts == {short} and update.tenants == {"acme"} and not update.reload
    assert feed.subscribers == 0


async def test_the_running_feed_delivers_within_a_second(replicas, cfg):
    here, there, _ = replicas
    short = await alert(there, cfg)
    feed = Feed(here, interval=0.25)
    task = asyncio.create_task(feed.run())
    try:
        with feed.watching({"acme", "globex"}) as sub:
            await asyncio.sleep(0.3)  # the feed has read the heads once
            started = time.monotonic()
            await run(there, cfg, Verb.CLAIM, short, SAM)
            update = await asyncio.wait_for(sub.get(), 1.0)
            took = time.monotonic() - started
    finally:
        task.cancel()
    assert update.alerts == {short} and took < 1.0


async def test_subscribers_hear_only_of_their_tenants(db, cfg):
    acme, globex = await alert(db, cfg, "acme"), await alert(db, cfg, "globex")
    feed = Feed(db)
    await feed.poll()
    with feed.watching({"globex"}) as gina, feed.watching({"acme", "globex"}) as dana:
        await run(db, cfg, Verb.CLAIM, acme, SAM)
        await feed.poll()
        assert gina.pending() == 0
        assert (await dana.get()).alerts == {acme}
        await run(db, cfg, Verb.CLAIM, globex, GINA)
        await feed.poll()
        assert (await gina.get()).alerts == {globex}
        assert (await dana.get()).alerts == {globex}


async def test_a_slow_subscriber_gets_one_reload_not_a_backlog(db, cfg):
    shorts = [await alert(db, cfg, minutes=i) for i in range(8)]
    feed = Feed(db, queue_size=3)
    await feed.poll()
    with feed.watching({"acme"}) as slow, feed.watching({"acme"}) as quick:
        for short in shorts:
            await run(db, cfg, Verb.CLAIM, short, SAM)
            await feed.poll()
            assert (await quick.get()).alerts == {short}
            assert slow.pending() <= 3
        assert slow.pending() == 1 and await slow.get() == RELOAD
        await run(db, cfg, Verb.RELEASE, shorts[0], SAM)
        await feed.poll()
        assert (await slow.get()).alerts == {shorts[0]}  # back to updates after reloading


async def test_too_many_changes_at_once_are_a_reload(db, cfg):
    shorts = [await alert(db, cfg, minutes=i) for i in range(3)]
    feed = Feed(db, max_events=2)
    await feed.poll()
    with feed.watching({"acme"}) as sub:
        for short in shorts:
            await run(db, cfg, Verb.CLAIM, short, SAM)
        await feed.poll()
        assert await sub.get() == RELOAD
        await run(db, cfg, Verb.RELEASE, shorts[0], SAM)
        await feed.poll()  # the cursor jumped: only what came after
        assert (await sub.get()).alerts == {shorts[0]}


async def test_a_silence_is_a_change_of_the_tenant(db, cfg):
    feed = Feed(db)
    await feed.poll()
    with feed.watching({"acme"}) as sub:
        made = await add_silence(db, cfg, SAM, SilenceRequest("acme", "service=db", "2h"),
                                 now=NOW + timedelta(minutes=1))
        assert made.id
        await feed.poll()
        update = await sub.get()
    assert (update.alerts, update.tenants) == (frozenset(), {"acme"})


async def test_nothing_changed_costs_one_query(db, cfg):
    await alert(db, cfg)
    feed = Feed(db)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    with feed.watching({"acme"}):
        await feed.poll()
        event.listen(_reader(db), "before_cursor_execute", listener)
        try:
            await feed.poll()
        finally:
            event.remove(_reader(db), "before_cursor_execute", listener)
    assert len(statements) == 1 and "audit_seq" in statements[0]


async def test_changes_start_at_the_head_and_name_their_alerts(db, cfg):
    first = await alert(db, cfg)
    start = await changes_since(db, {"acme"}, {})
    assert not start.any and start.heads["acme"] == 1
    second = await alert(db, cfg, "acme", minutes=1)
    await alert(db, cfg, "globex")
    later = await changes_since(db, {"acme"}, start.heads)
    assert later.alerts == {"acme": frozenset({second})} and set(later.heads) == {"acme"}
    assert first not in later.alerts["acme"]


class _Held:
    """The database, whose next read waits until the test lets it go on."""

    def __init__(self, db):
        self.db, self.reading, self.go = db, asyncio.Event(), asyncio.Event()

    def unit(self):
        return self.db.unit()

    @contextlib.asynccontextmanager
    async def read(self):
        self.reading.set()
        await self.go.wait()
        async with self.db.read() as session:
            yield session


async def test_a_subscriber_joining_during_a_poll_misses_nothing(db, cfg):
    short = await alert(db, cfg)
    held = _Held(db)
    feed = Feed(held)
    held.go.set()
    await feed.poll()
    held.go.clear()
    held.reading.clear()
    polling = asyncio.create_task(feed.poll())
    await held.reading.wait()  # the round has looked at who watches: nobody yet
    with feed.watching({"acme"}) as sub:
        await run(db, cfg, Verb.CLAIM, short, SAM)  # committed before the round reads
        held.go.set()
        await polling
        await feed.poll()
        assert sub.pending() == 1 and (await sub.get()).alerts == {short}
