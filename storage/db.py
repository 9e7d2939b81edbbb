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


def async_url(url: str) -> str:
    """Accept plain `sqlite:///` and `postgresql://` URLs and pick the async driver."""
    parsed = make_url(url)
    driver = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
    name = parsed.drivername
    if name in driver:
        parsed = parsed.set(drivername=driver[name])
    return parsed.render_as_string(hide_password=False)


def _prepare_sqlite(engine: AsyncEngine, synchronous: str) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Take over transaction control so every write transaction starts with
        # BEGIN IMMEDIATE: writers queue on busy_timeout instead of failing to upgrade.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@dataclass
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session, session.begin():
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


def connect(url: str, *, sqlite_synchronous: str = "FULL", pool_size: int = 10) -> Database:
    full = async_url(url)
    kwargs: dict = {}
    if full.startswith("postgresql"):
        kwargs = {"pool_size": pool_size, "max_overflow": pool_size, "pool_pre_ping": True}
    engine = create_async_engine(full, **kwargs)
    if engine.dialect.name == "sqlite":
        _prepare_sqlite(engine, sqlite_synchronous)
    return Database(engine, async_sessionmaker(engine, expire_on_commit=False))
