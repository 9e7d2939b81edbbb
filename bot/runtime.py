"""What every entry point needs: settings, the validated configuration and the database."""

from dataclasses import dataclass

from bot.config import Settings, load
from handlers.config import TandemConfig, sync
from storage import migrate
from storage.db import Database, connect


class SchemaOutdated(Exception):
    """The database was migrated before but not to this release's schema."""


@dataclass
class Runtime:
    settings: Settings
    cfg: TandemConfig
    db: Database

    async def close(self) -> None:
        await self.db.dispose()


async def prepare(db: Database) -> None:
    """Create the schema on an empty database; refuse to run on an outdated one."""
    current = await migrate.current_revision(db)
    if current is None:
        await migrate.upgrade(db)
    elif current != migrate.head_revision():
        raise SchemaOutdated(
            f"the database is at schema {current}, this release needs "
            f"{migrate.head_revision()}: run `tandem db upgrade`"
        )


async def open_runtime(settings: Settings) -> Runtime:
    cfg = load(settings.config)
    db = connect(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous,
                 pg_writers=settings.pg_writers)
    try:
        async with migrate.one_at_a_time(db):
            await prepare(db)
            async with db.unit() as uow:
                await sync(uow, cfg)
    except BaseException:
        await db.dispose()
        raise
    return Runtime(settings, cfg, db)
