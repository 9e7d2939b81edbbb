"""Migrations build the schema from nothing, and match the models exactly."""

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from storage import migrate
from storage.db import connect


async def _migrate_and_compare(url: str) -> None:
    db = connect(url)
    try:
        assert await migrate.current_revision(db) is None
        await migrate.upgrade(db)
        assert await migrate.current_revision(db) == migrate.head_revision()
        async with db.engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), SQLModel.metadata)
            )
        assert diff == []
        await migrate.upgrade(db)  # a second run is a no-op
    finally:
        await db.dispose()


def test_sqlite_from_empty(tmp_path):
    asyncio.run(_migrate_and_compare(f"sqlite:///{tmp_path / 'empty.db'}"))


def test_postgres_from_empty(empty_pg_url):
    asyncio.run(_migrate_and_compare(empty_pg_url))
