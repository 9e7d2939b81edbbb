"""Alembic migrations, run programmatically on the application's own engine."""

import asyncio
import fcntl
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.db import Database
from storage.sqlite_inline import inline

_SCRIPTS = Path(__file__).parent / "migrations"
_STARTING = 0x54414E44  # "TAND": the advisory lock replicas take while they start


def _config(connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    cfg.attributes["connection"] = connection
    return cfg


async def upgrade(db: Database, revision: str = "head") -> None:
    await _migrate(db, lambda cfg: command.upgrade(cfg, revision))


async def downgrade(db: Database, revision: str) -> None:
    await _migrate(db, lambda cfg: command.downgrade(cfg, revision))


async def _migrate(db: Database, run: Callable[[Config], None]) -> None:
    """`run` in one transaction. On SQLite foreign keys are off meanwhile and checked
    before the commit, as SQLite prescribes for schema changes: a batch migration copies
    a table and drops the original, which rows referring to it would refuse."""
    sqlite = db.dialect == "sqlite"
    async with db.engine.connect() as conn:
        driver = await inline(conn) if sqlite else None
        if driver is not None:
            driver.run("PRAGMA foreign_keys=OFF")  # only outside a transaction
        try:
            async with conn.begin():
                await conn.run_sync(lambda sync: run(_config(sync)))
                if sqlite and (broken := (await conn.exec_driver_sql(
                        "PRAGMA foreign_key_check")).all()):
                    raise RuntimeError(f"migration left rows without their parent: {broken}")
        finally:
            if driver is not None:
                driver.run("PRAGMA foreign_keys=ON")


async def current_revision(db: Database) -> str | None:
    async with db.engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config(None)).get_current_head()
    if head is None:  # the migrations ship with the package
        raise RuntimeError("no migrations found")
    return head


@asynccontextmanager
async def one_at_a_time(db: Database) -> AsyncIterator[None]:
    """Processes starting together (`tandem serve` replicas, `tandem db upgrade` runs)
    migrate the schema and mirror the configuration one after the other, since two at
    once on a fresh database both create the tables, or both rewrite the memberships,
    and one dies. PostgreSQL: a session advisory lock. SQLite: an exclusive flock on a
    file beside the database (`tandem.db.lock`). Each migration's BEGIN IMMEDIATE
    already serialises the statements, but it waits at most the busy timeout (30 s, too
    short for a long migration) and leaves the gap between reading the revision and
    upgrading; a flock waits as long as it takes, covers the whole start-up, and is
    released by the kernel if its holder dies."""
    if db.dialect == "postgresql":
        async with _advisory_lock(db):
            yield
    else:
        async with _file_lock(Path(f"{db.engine.url.database}.lock")):
            yield


@asynccontextmanager
async def _advisory_lock(db: Database) -> AsyncIterator[None]:
    async with db.engine.connect() as conn:
        await conn.exec_driver_sql(f"SELECT pg_advisory_lock({_STARTING})")
        await conn.commit()
        try:
            yield
        finally:
            await conn.exec_driver_sql(f"SELECT pg_advisory_unlock({_STARTING})")
            await conn.commit()


@asynccontextmanager
async def _file_lock(path: Path) -> AsyncIterator[None]:
    """Waits for the lock in a worker thread, so the event loop stays free. Without
    the database's folder there is nothing to race for: SQLite names the problem."""
    if not path.parent.is_dir():
        yield
        return
    with path.open("a") as held:
        await asyncio.to_thread(fcntl.flock, held, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)
