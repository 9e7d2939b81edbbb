"""Engines and transactions for SQLite (default) and PostgreSQL.

A `Database` opens one unit of work per transaction that writes (`unit()`, see
storage/unit.py) and a session per read (`read()`). Handlers are handed the unit and
never commit: leaving the block commits, an exception rolls back. The audit events and
outbox rows a unit holds (storage/pending.py) are written at its end, or on SQLite at
its write group's end, in the same transaction.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import sqlite_inline
from storage.sqlite_inline import InlineConnection
from storage.unit import SAVEPOINT, ChannelKey, UnitOfWork, Wake
from storage.write_group import WriteGroup


class UnknownDatabase(ValueError):
    """A database URL whose scheme Tandem does not speak."""


_DRIVERS = {"sqlite": "sqlite+aiosqlite", "sqlite+aiosqlite": "sqlite+aiosqlite",
            "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg",
            "postgresql+asyncpg": "postgresql+asyncpg"}


def async_url(url: str) -> str:
    """Accept plain `sqlite:///`, `postgresql://` and `postgres://` (Heroku's and many
    providers' spelling) URLs and pick the async driver; refuse any other scheme."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        # the text is not echoed: a mistyped URL may still hold a password
        raise UnknownDatabase("not a database URL; use sqlite:///PATH or "
                              "postgresql://USER@HOST/DATABASE") from None
    driver = _DRIVERS.get(parsed.drivername)
    if driver is None:
        raise UnknownDatabase(f"unknown database scheme {parsed.drivername!r}; use "
                              "sqlite:///PATH or postgresql://USER@HOST/DATABASE")
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def _sqlite_engine(url: str, synchronous: str, *, writer: bool) -> AsyncEngine:
    """An engine on sqlite_inline connections, which are in autocommit mode: Tandem
    issues BEGIN itself, and a writer's is BEGIN IMMEDIATE, so writers wait for the
    lock up front instead of failing to upgrade a read lock halfway through."""
    path = make_url(url).database
    if path is None:
        raise ValueError("a SQLite URL names its database file")
    creator = sqlite_inline.creator(path, writer=writer)
    engine = create_async_engine(url, async_creator=creator)

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA temp_store=MEMORY")  # savepoint journals: not temp files
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    begin = "BEGIN IMMEDIATE" if writer else "BEGIN"

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn):
        # Straight to sqlite3 (see _plain_savepoints); through a cursor only to wait.
        if not conn.connection.driver_connection.try_run(begin):
            conn.exec_driver_sql(begin)

    _plain_savepoints(engine.sync_engine.dialect)
    return engine


def _plain_savepoints(dialect) -> None:
    """Send SAVEPOINT and RELEASE straight to the sqlite3 connection. SQLAlchemy builds
    and compiles a statement for each, never from its cache since every savepoint has
    a new name, and even as plain SQL each passes through an execution context and a
    greenlet switch, several times the statement's own cost; the write group makes two
    per unit of work. Inside the group's transaction neither can meet a lock."""
    dialect.do_savepoint = lambda conn, name: _inline(conn, f"SAVEPOINT {name}")
    dialect.do_release_savepoint = lambda conn, name: _inline(conn, f"RELEASE SAVEPOINT {name}")


def _inline(conn, sql: str) -> None:
    conn.connection.driver_connection.run(sql)


async def _given(session: AsyncSession) -> AsyncSession:
    return session


def _undo(driver: InlineConnection) -> None:
    driver.run(f"ROLLBACK TO {SAVEPOINT}")
    driver.run(f"RELEASE {SAVEPOINT}")


def _nothing(_channels: Collection[ChannelKey]) -> None:
    """No outbox to wake (the command line, tests without a dispatcher)."""


def _none() -> None:
    """No executor worker to wake."""


def lost_connection(error: BaseException) -> bool:
    """Whether a unit of work failed because its pooled connection had been dropped (a
    database restart); run again, it gets a new one."""
    return isinstance(error, DBAPIError) and error.connection_invalidated


@dataclass
class Database:
    """`unit()` for units of work that write; `read()` for those that only read.

    SQLite has one writer at a time: in-process units of work queue in a write group
    (fair, no polling, unlike SQLite's busy handler whose sleeps grow to 100 ms) and
    those that queued together share one commit; readers take a deferred transaction
    on their own engine and never wait for writers (WAL). On PostgreSQL writers get
    ordinary transactions and readers autocommit, on one pool; units of work that write
    are admitted a few at a time (`pg_writers`): each tenant's audit chain admits one committer at a
    time anyway, and every unit in flight beyond those the loop can serve slows the one
    holding the chain's lock, whose every round trip waits its turn on the loop.

    `wake_outbox` is called after every commit that queued outbox rows, with their
    (platform, channel) pairs, and `wake_executions` after one that queued a fix's
    execution: the running program points them at the outbox dispatcher and the
    executor worker (bot.app.build_app).
    """

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    readers: async_sessionmaker[AsyncSession]
    read_engine: AsyncEngine | None = None
    _group: WriteGroup | None = None
    _writers: asyncio.Semaphore | None = None
    wake_outbox: Wake = _nothing
    wake_executions: Callable[[], None] = _none

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work whose session opens on demand (storage/unit.py). Leaving the
        block commits it, an exception rolls it back; the block exits once the work is
        committed, and then the unit's after-commit calls run."""
        if self._group is None:
            if self._writers is None:  # connect() gives each Database one or the other
                raise RuntimeError("a Database needs a write group or a writers' semaphore")
            async with self._writers, self.sessions() as session, session.begin():
                unit = UnitOfWork(None, lambda _stack: _given(session), self.wake_outbox,
                                  self.wake_executions)
                yield unit
                await session.flush()  # the unit's own changes first, the chain's lock last
                held = unit.end()
                if held.events or held.outbox:
                    await held.write(await session.connection())
        else:
            async with self._group.unit() as group:
                group.driver.run(f"SAVEPOINT {SAVEPOINT}")
                unit = UnitOfWork(group.driver, lambda stack: self._joined(stack, group.conn),
                                  self.wake_outbox, self.wake_executions)
                try:
                    try:
                        yield unit
                    except BaseException as error:
                        await unit.close(error)
                        raise
                    await unit.close(None)
                except BaseException:
                    _undo(group.driver)
                    raise
                group.driver.run(f"RELEASE {SAVEPOINT}")
                group.pending.absorb(unit.end())  # its savepoint is released: the group writes it
        unit.committed()

    async def _joined(self, stack: AsyncExitStack, conn: AsyncConnection) -> AsyncSession:
        """A session inside the write group's transaction, under a savepoint of its own."""
        session = await stack.enter_async_context(
            self.sessions(bind=conn, join_transaction_mode="create_savepoint"))
        await stack.enter_async_context(session.begin())
        return session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.readers() as session, session.begin():
            yield session

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.exec_driver_sql("SELECT 1")
            return True
        except Exception:  # readiness answers "not ready" for any failure to reach it
            return False

    async def dispose(self) -> None:
        if self._group is not None:
            await self._group.close()
        await self.engine.dispose()
        if self.read_engine is not None:
            await self.read_engine.dispose()


def connect(url: str, *, sqlite_synchronous: str = "FULL", pool_size: int = 10,
            pg_writers: int = 4) -> Database:
    full = async_url(url)
    if not full.startswith("sqlite"):
        # No pre-ping: it costs a round trip on every checkout to catch what only a
        # server restart causes. A unit of work that meets a dropped connection fails
        # once and its connection is replaced; callers that must not fail run it again
        # (see `lost_connection`).
        engine = create_async_engine(full, pool_size=pool_size, max_overflow=pool_size)
        writers = async_sessionmaker(engine, expire_on_commit=False)
        # Under READ COMMITTED every statement reads its own snapshot, transaction or
        # not, so readers skip the BEGIN and COMMIT round trips.
        autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        readers = async_sessionmaker(autocommit, expire_on_commit=False)
        return Database(engine, writers, readers, _writers=asyncio.Semaphore(pg_writers))
    engine = _sqlite_engine(full, sqlite_synchronous, writer=True)
    writers = async_sessionmaker(engine, expire_on_commit=False)
    read_engine = _sqlite_engine(full, sqlite_synchronous, writer=False)
    readers = async_sessionmaker(read_engine, expire_on_commit=False)
    return Database(engine, writers, readers, read_engine, WriteGroup(engine))
