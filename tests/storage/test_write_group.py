"""SQLite units of work share commits, fail alone, and never block the event loop."""

import asyncio
import sqlite3

import pytest
from sqlalchemy import event, insert, select, text

from storage.db import connect
from storage.outbox_models import Outbox
from tests.conftest import NOW

UNITS = 20


def _row(channel: str, alert_id: int | None = None) -> dict:
    return {"tenant_id": "acme", "alert_id": alert_id, "kind": "card", "platform": "slack",
            "channel": channel, "payload": {}, "created_at": NOW, "due_at": NOW}


async def _channels(db) -> set[str]:
    async with db.read() as session:
        return set((await session.execute(select(Outbox.channel))).scalars())


def _count_begins(db) -> list[int]:
    begins = [0]

    @event.listens_for(db.engine.sync_engine, "begin")
    def counted(_conn):
        begins[0] += 1

    return begins


async def test_concurrent_units_share_commits_and_each_is_durable_when_it_returns(sqlite_db):
    begins = _count_begins(sqlite_db)
    seen_after_exit: list[bool] = []

    async def unit(n: int) -> None:
        async with sqlite_db.unit() as uow:
            session = await uow.session()
            await session.execute(insert(Outbox), [_row(f"C{n}")])
            await asyncio.sleep(0)  # let the other units queue up behind this one
        seen_after_exit.append(f"C{n}" in await _channels(sqlite_db))

    await asyncio.gather(*(unit(n) for n in range(UNITS)))
    assert seen_after_exit == [True] * UNITS  # a reader on its own connection sees each
    assert begins[0] < UNITS / 4, f"{begins[0]} transactions for {UNITS} units"


async def test_groups_keep_their_connection_and_dispose_gives_it_back(sqlite_db):
    db, checkouts = sqlite_db, [0]

    @event.listens_for(db.engine.sync_engine, "checkout")
    def counted(*_args):
        checkouts[0] += 1

    for n in range(5):  # one after another: five groups
        async with db.unit() as uow:
            session = await uow.session()
            await session.execute(insert(Outbox), [_row(f"C{n}")])
    assert checkouts[0] == 0  # the fixture's first group checked it out, for good
    assert db.engine.sync_engine.pool.checkedout() == 1
    await db.dispose()
    assert db.engine.sync_engine.pool.checkedout() == 0


async def test_a_failing_unit_rolls_back_alone(sqlite_db):
    async def unit(n: int) -> None:
        async with sqlite_db.unit() as uow:
            session = await uow.session()
            await session.execute(insert(Outbox), [_row(f"C{n}")])
            if n % 5 == 0:
                raise ValueError(f"unit {n} fails")

    results = await asyncio.gather(*(unit(n) for n in range(UNITS)), return_exceptions=True)
    failed = {n for n, r in enumerate(results) if isinstance(r, ValueError)}
    assert failed == {n for n in range(UNITS) if n % 5 == 0}
    assert await _channels(sqlite_db) == {f"C{n}" for n in range(UNITS) if n not in failed}


async def test_when_the_shared_commit_fails_every_member_hears_of_it(sqlite_db):
    """A foreign key checked only at COMMIT (deferred) fails the whole group's commit:
    no member may report success, and nothing of theirs is stored."""

    async def unit(n: int) -> None:
        async with sqlite_db.unit() as uow:
            session = await uow.session()
            if n == 0:
                await session.execute(text("PRAGMA defer_foreign_keys = ON"))
                await session.execute(insert(Outbox), [_row("orphan", alert_id=987654)])
            else:
                await session.execute(insert(Outbox), [_row(f"C{n}")])
            await asyncio.sleep(0)

    results = await asyncio.gather(*(unit(n) for n in range(5)), return_exceptions=True)
    assert all(isinstance(r, Exception) and "FOREIGN KEY" in str(r) for r in results), results
    assert await _channels(sqlite_db) == set()
    async with sqlite_db.unit() as uow:  # the group is gone; writing works again
        session = await uow.session()
        await session.execute(insert(Outbox), [_row("after")])
    assert await _channels(sqlite_db) == {"after"}


async def test_waiting_for_another_process_lock_leaves_the_loop_free(sqlite_db, sqlite_url):
    """BEGIN IMMEDIATE waits on busy_timeout in a worker thread, not on the loop."""
    other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async def write() -> None:
        async with sqlite_db.unit() as uow:
            session = await uow.session()
            await session.execute(insert(Outbox), [_row("waited")])

    clock = asyncio.create_task(ticker())
    writing = asyncio.create_task(write())
    await asyncio.sleep(0.3)
    assert not writing.done() and ticks >= 10, ticks
    other.execute("COMMIT")
    other.close()
    await asyncio.wait_for(writing, 5)
    clock.cancel()
    assert await _channels(sqlite_db) == {"waited"}



async def test_closing_while_a_thread_waits_for_a_lock_is_safe(sqlite_url, cfg):
    """A unit cancelled while its BEGIN waits in a worker thread keeps the connection
    until that wait ends, and a close that comes meanwhile waits for it too: closing a
    connection under a running call would crash the process."""
    db = connect(sqlite_url)
    other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    async def write() -> None:
        async with db.unit() as uow:
            session = await uow.session()
            await session.execute(insert(Outbox), [_row("never")])

    writing = asyncio.create_task(write())
    await asyncio.sleep(0.2)  # its BEGIN IMMEDIATE now waits in a worker thread
    writing.cancel()
    await asyncio.sleep(0.1)
    assert not writing.done()  # still waiting for its thread, not gone from under it
    other.execute("COMMIT")
    other.close()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(writing, 5)
    await db.dispose()
    reader = connect(sqlite_url)
    assert await _channels(reader) == set()
    await reader.dispose()
