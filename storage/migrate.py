"""Alembic migrations, run programmatically on the application's own engine."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.db import Database

_SCRIPTS = Path(__file__).parent / "migrations"
_STARTING = 0x54414E44  # "TAND": the advisory lock replicas take while they start


def _config(connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    cfg.attributes["connection"] = connection
    return cfg


async def upgrade(db: Database, revision: str = "head") -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda sync: command.upgrade(_config(sync), revision))


async def current_revision(db: Database) -> str | None:
    async with db.engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


def head_revision() -> str:
    return ScriptDirectory.from_config(_config(None)).get_current_head()


@asynccontextmanager
async def one_at_a_time(db: Database) -> AsyncIterator[None]:
    """Processes starting together migrate the schema and mirror the configuration one
    after the other: on PostgreSQL under a session advisory lock (two replicas started
    at once on a fresh database otherwise both create the tables, or both rewrite the
    memberships, and one dies). SQLite's writer lock already takes them in turn."""
    if db.dialect != "postgresql":
        yield
        return
    async with db.engine.connect() as conn:
        await conn.exec_driver_sql(f"SELECT pg_advisory_lock({_STARTING})")
        await conn.commit()
        try:
            yield
        finally:
            await conn.exec_driver_sql(f"SELECT pg_advisory_unlock({_STARTING})")
            await conn.commit()
