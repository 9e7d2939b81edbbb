"""Engines and transactions for SQLite (default) and PostgreSQL.

A `Database` hands out one transaction per unit of work; handlers receive the
session and never commit: leaving `transaction()` commits, an exception rolls back.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import sqlite_inline
from storage.write_group import WriteGroup


def async_url(url: str) -> str:
    """Accept plain `sqlite:///` and `postgresql://` URLs and pick the async driver."""
    parsed = make_url(url)
    driver = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
    name = parsed.drivername
    if name in driver:
        parsed = parsed.set(drivername=driver[name])
    return parsed.render_as_string(hide_password=False)


def _prepare_sqlite(engine: AsyncEngine, synchronous: str, begin: str) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Take over transaction control so every write transaction starts with
        # BEGIN IMMEDIATE: writers wait for the lock up front instead of failing to
        # upgrade a read lock halfway through.
        if dbapi_connection.isolation_level is not None:
            dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Zero: a statement meeting another process's lock fails at once, and the
        # connection waits for the lock in a worker thread (sqlite_inline.py).
        cursor.execute("PRAGMA busy_timeout=0")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn):
        conn.exec_driver_sql(begin)


@dataclass
class Database:
    """`transaction()` for units of work that write; `read()` for those that only read.

    SQLite has one writer at a time: in-process units of work queue in a write group
    (fair, no polling, unlike SQLite's busy handler whose sleeps grow to 100 ms) and
    those that queued together share one commit; readers take a deferred transaction
    on their own engine and never wait for writers (WAL). On PostgreSQL both are
    ordinary transactions on one engine.
    """

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    readers: async_sessionmaker[AsyncSession]
    read_engine: AsyncEngine | None = None
    _group: WriteGroup | None = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        if self._group is None:
            async with self.sessions() as session, session.begin():
                yield session
            return
        async with (
            self._group.unit() as conn,
            self.sessions(bind=conn, join_transaction_mode="create_savepoint") as session,
            session.begin(),
        ):
            yield session

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
        await self.engine.dispose()
        if self.read_engine is not None:
            await self.read_engine.dispose()


def connect(url: str, *, sqlite_synchronous: str = "FULL", pool_size: int = 10) -> Database:
    full = async_url(url)
    kwargs: dict = {}
    if full.startswith("postgresql"):
        kwargs = {"pool_size": pool_size, "max_overflow": pool_size, "pool_pre_ping": True}
    if not full.startswith("sqlite"):
        engine = create_async_engine(full, **kwargs)
        writers = async_sessionmaker(engine, expire_on_commit=False)
        return Database(engine, writers, writers)
    path = make_url(full).database
    engine = create_async_engine(full, async_creator=sqlite_inline.creator(path, writer=True))
    _prepare_sqlite(engine, sqlite_synchronous, "BEGIN IMMEDIATE")
    writers = async_sessionmaker(engine, expire_on_commit=False)
    read_engine = create_async_engine(full, async_creator=sqlite_inline.creator(path, writer=False))
    _prepare_sqlite(read_engine, sqlite_synchronous, "BEGIN")
    readers = async_sessionmaker(read_engine, expire_on_commit=False)
    return Database(engine, writers, readers, read_engine, WriteGroup(engine))
