"""Migrations build the schema from nothing and match the models exactly; data moves with
them both ways."""

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
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


# Sam has both accounts, Dana Slack only, Lee Teams only, Ivy none.
PEOPLE_AT_0009 = [
    ("dana@partner.example", "T0PARTNER", "U0DANA", None),
    ("ivy@acme.example", None, None, None),
    ("lee@acme.example", None, None, "aad-lee"),
    ("sam@acme.example", "T0ACME", "U0SAM", "aad-sam"),
]
IDENTITIES_AT_0010 = [
    ("slack", "T0ACME/U0SAM", "sam@acme.example"),
    ("slack", "T0PARTNER/U0DANA", "dana@partner.example"),
    ("teams", "aad-lee", "lee@acme.example"),
    ("teams", "aad-sam", "sam@acme.example"),
]


async def _rows(db, sql: str) -> list[tuple]:
    async with db.engine.connect() as conn:
        return [tuple(row) for row in (await conn.exec_driver_sql(sql)).all()]


async def _people_keep_their_accounts(url: str) -> None:
    db = connect(url)
    try:
        await migrate.upgrade(db, "0009")
        async with db.engine.begin() as conn:
            for email, team, user, aad in PEOPLE_AT_0009:
                await conn.execute(
                    text("INSERT INTO person (email, name, side, roles, slack_team, slack_user, "
                         "teams_aad_id) VALUES (:e, 'Someone', 'internal', '', :t, :u, :a)"),
                    {"e": email, "t": team, "u": user, "a": aad})
            # Rows referring to people: SQLite's copy of the person table must keep them.
            await conn.execute(text(
                "INSERT INTO tenant (id, name, code, timezone, next_alert_number, audit_seq, "
                "audit_head) VALUES ('acme', 'Acme', 'ACME', 'UTC', 1, 0, '')"))
            await conn.execute(text("INSERT INTO membership (person_email, tenant_id) "
                                    "VALUES ('sam@acme.example', 'acme')"))
        await migrate.upgrade(db, "0010")
        assert await _rows(db, "SELECT platform, key, person_email FROM person_identity "
                               "ORDER BY platform, key") == IDENTITIES_AT_0010
        assert [r[0] for r in await _rows(db, "SELECT email FROM person ORDER BY email")] == [
            p[0] for p in PEOPLE_AT_0009]
        await migrate.downgrade(db, "0009")
        assert await migrate.current_revision(db) == "0009"
        assert await _rows(db, "SELECT email, slack_team, slack_user, teams_aad_id FROM person "
                               "ORDER BY email") == PEOPLE_AT_0009
        await migrate.upgrade(db)  # and up again, to the head
        assert len(await _rows(db, "SELECT key FROM person_identity")) == 4
        assert await _rows(db, "SELECT person_email FROM membership") == [("sam@acme.example",)]
    finally:
        await db.dispose()


def test_sqlite_people_keep_their_accounts_both_ways(tmp_path):
    asyncio.run(_people_keep_their_accounts(f"sqlite:///{tmp_path / 'people.db'}"))


def test_postgres_people_keep_their_accounts_both_ways(empty_pg_url):
    asyncio.run(_people_keep_their_accounts(empty_pg_url))
