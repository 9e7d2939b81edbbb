"""An aiosqlite-shaped SQLite connection that runs statements on the event loop.

aiosqlite sends every call (execute, fetch, description, close) to a thread and
back; a unit of work of ten statements pays about forty such hops, which cost more
than the statements, which touch the page cache for microseconds. So Tandem's
SQLite engines use this connection: statements run inline. A statement that meets
another process's lock (a writer's BEGIN IMMEDIATE, mostly) runs in a worker thread
so the event loop stays free: the busy timeout is zero, so it fails at once and is
retried in the thread with a real timeout. The longest read the server makes, a
digest over a million alerts, takes tens of milliseconds.

A writer's COMMIT (the WAL append and its fsync) runs inline too while commits are
fast: on a local disk it takes under a millisecond, and sending it to a thread and
back cost more than that on a loaded machine (the hop to a thread that must win the
GIL and a core, and back through the loop: 11 % of intake's throughput on two
cores). When commits turn slow (a moving average over `slow_commit`, as on a network
disk), they go to a worker thread until they are fast again, so a slow disk delays
the writes, not every request. SQLAlchemy takes this connection through
`async_creator`.
"""

import asyncio
import contextlib
import functools
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

BUSY_TIMEOUT_MS = 30_000
SLOW_COMMIT = 0.005  # seconds, averaged: a writer's commits past it go to a thread


def _busy(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF  # the primary code of an extended one
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class InlineCursor:
    """The async cursor API SQLAlchemy's aiosqlite adapter calls, done inline."""

    def __init__(self, cursor: sqlite3.Cursor, owner: "InlineConnection"):
        self._cursor, self._owner = cursor, owner

    async def __aenter__(self) -> "InlineCursor":
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Any = ()) -> "InlineCursor":
        try:
            self._cursor.execute(sql, parameters)
        except sqlite3.OperationalError as error:
            if not _busy(error):
                raise
            await self._owner.in_thread(self._wait_and_execute, sql, parameters)
        return self

    def _wait_and_execute(self, sql: str, parameters: Any) -> None:
        """In a worker thread: wait for the other process's lock, then run `sql`."""
        self._cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        try:
            self._cursor.execute(sql, parameters)
        finally:
            self._cursor.execute("PRAGMA busy_timeout=0")

    async def executemany(self, sql: str, parameters: Any) -> "InlineCursor":
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size or self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class InlineConnection:
    """The async connection API SQLAlchemy's aiosqlite adapter calls."""

    def __init__(self, conn: sqlite3.Connection, slow_commit: float | None):
        """`slow_commit`: the average commit time past which commits go to a worker
        thread; None for a reader, whose commits write nothing."""
        self._conn, self._slow_commit = conn, slow_commit
        self._commit_average = 0.0
        self._connection: sqlite3.Connection | None = conn
        # Closing a connection while a worker thread is inside a call on it crashes the
        # process, so a close that finds a call running is left to that call's end.
        self._guard = threading.Lock()
        self._running = 0
        self._closing = False

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def run(self, sql: str) -> None:
        """A statement without parameters or rows, such as SAVEPOINT, run at once."""
        self._conn.execute(sql)

    def try_run(self, sql: str) -> bool:
        """`run`, or False if another process holds the lock (a writer's BEGIN
        IMMEDIATE): the caller then waits for it through a cursor, in a thread."""
        try:
            self._conn.execute(sql)
        except sqlite3.OperationalError as error:
            if not _busy(error):
                raise
            return False
        return True

    def fetch(self, sql: str, parameters: Any) -> list[Any]:
        """A query's rows, run at once: for a writer inside its transaction, which
        holds the lock and so cannot meet another's."""
        return self._conn.execute(sql, parameters).fetchall()

    def many(self, sql: str, rows: Any) -> None:
        """A statement run once per row, at once (see `fetch`)."""
        self._conn.executemany(sql, rows)

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor(), self)

    async def in_thread(self, call: Callable[..., Any], *args: Any) -> Any:
        """Run a call that may wait on this connection in a worker thread. Cancelled,
        it still lets the call finish before giving the connection back, so the next
        user never meets a call running underneath it."""
        loop = asyncio.get_running_loop()
        running = loop.run_in_executor(None, functools.partial(self._guarded, call, *args))
        try:
            return await asyncio.shield(running)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await running
            raise

    def _guarded(self, call: Callable[..., Any], *args: Any) -> Any:
        with self._guard:
            if self._closing:
                raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
            self._running += 1
        try:
            return call(*args)
        finally:
            with self._guard:
                self._running -= 1
                if self._closing and not self._running:
                    self._conn.close()

    async def commit(self) -> None:
        if self._slow_commit is None:
            self._conn.commit()
        elif self._commit_average > self._slow_commit:
            await self.in_thread(self._timed_commit)
        else:
            self._timed_commit()

    def _timed_commit(self) -> None:
        started = time.perf_counter()
        self._conn.commit()
        self._commit_average += (time.perf_counter() - started - self._commit_average) / 5

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        with self._guard:
            if self._closing:
                return
            self._connection, self._closing = None, True
            if not self._running:
                self._conn.close()


def creator(path: str, *, writer: bool):
    """An `async_creator` for create_async_engine: connections in autocommit mode
    (Tandem issues BEGIN itself), with a busy timeout of zero so they never wait on a
    lock inline, and shareable with the worker thread that waits instead."""

    async def connect() -> InlineConnection:
        conn = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
        return InlineConnection(conn, SLOW_COMMIT if writer else None)

    return connect


async def inline(conn: AsyncConnection) -> InlineConnection:
    """The connection of ours under a SQLite engine's connection (see `creator`)."""
    driver = (await conn.get_raw_connection()).driver_connection
    if not isinstance(driver, InlineConnection):
        raise TypeError(f"{conn.engine.url} does not run on sqlite_inline connections")
    return driver
