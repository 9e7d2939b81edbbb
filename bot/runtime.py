"""What every entry point needs: settings, the configuration in force and the database."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot import published
from bot.config import Settings, load_document
from handlers.config import TandemConfig
from storage import migrate
from storage.db import Database, connect

Swapped = Callable[[], Awaitable[None]]


class SchemaOutdated(Exception):
    """The database was migrated before but not to this release's schema."""


@dataclass
class Runtime:
    """Also the configuration source of every long-lived part (handlers.config
    .ConfigSource): they read `cfg` when they act, so `swap` takes effect at once."""

    settings: Settings
    cfg: TandemConfig
    db: Database
    version: int | None = None  # the published configuration version `cfg` is
    on_swap: list[Swapped] = field(default_factory=list)  # told after each swap

    async def swap(self, version: int, cfg: TandemConfig) -> None:
        """Put a published configuration in force in this process."""
        self.cfg, self.version = cfg, version
        for told in list(self.on_swap):
            await told()

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


async def _settle(db: Database, path: Path, publisher: str | None,
                  given: tuple[dict, TandemConfig] | None) -> tuple[int, TandemConfig]:
    if publisher is None and (found := await published.in_force(db)) is not None:
        return found
    document, cfg = given or load_document(path)
    return (await published.publish(db, cfg, document, publisher or "cli")).version, cfg


async def open_runtime(settings: Settings, publisher: str | None = None) -> Runtime:
    """Connect, migrate an empty database, and settle the configuration. `tandem serve`
    names itself `publisher` and publishes its file (a new version only when it differs
    from the one in force); every other command runs on the configuration in force and
    publishes its file only when none was published yet, as "cli"."""
    given = load_document(settings.config) if publisher else None  # a bad file first
    db = connect(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous,
                 pg_writers=settings.pg_writers)
    try:
        async with migrate.one_at_a_time(db):
            await prepare(db)
            version, cfg = await _settle(db, settings.config, publisher, given)
    except BaseException:
        await db.dispose()
        raise
    return Runtime(settings, cfg, db, version)
