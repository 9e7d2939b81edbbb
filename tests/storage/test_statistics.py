"""Tandem analyzes the PostgreSQL tables whose statistics are stale (autovacuum's rule),
since autovacuum may be off or not there yet; on SQLite it does nothing."""

import asyncio

from sqlalchemy import text

from handlers.enums import Severity
from handlers.intake.ingest import ingest_many
from handlers.intake.types import AlertIn
from storage.statistics import analyze_stale
from tests.conftest import NOW


async def _ingest(db, cfg, count: int) -> None:
    events = [AlertIn(source="test", title="Disk full", severity=Severity.HIGH,
                      dedup_key=f"disk-{n}") for n in range(count)]
    async with db.unit() as unit:
        await ingest_many(unit, cfg, cfg.tenant("acme"), events, NOW)


async def _until_reported(db, table: str, rows: int) -> None:
    """Wait until PostgreSQL counts `rows` changed rows of `table` since its last
    ANALYZE: a backend reports its writes when it exits at the latest, so the pool's
    connections are closed first."""
    await db.engine.dispose()
    for _ in range(100):
        async with db.engine.connect() as conn:
            changed = (await conn.execute(text(
                "SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = :t"),
                {"t": table})).scalar_one()
        if changed >= rows:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{table}: {rows} changed rows never reported")


async def _last_analyze(db, table: str):
    async with db.engine.connect() as conn:
        return (await conn.execute(text(
            "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = :t"), {"t": table},
        )).scalar_one()


async def test_postgres_tables_with_many_changed_rows_are_analyzed_once(pg_db, cfg):
    assert await _last_analyze(pg_db, "alert") is None
    await _ingest(pg_db, cfg, 120)  # past 50 and a tenth of the rows: stale
    await _until_reported(pg_db, "alert", 120)
    analyzed = await analyze_stale(pg_db)
    assert {"alert", "audit_event", "outbox"} <= set(analyzed)
    # An ANALYZE reports at once: its time and the reset count together.
    assert await _last_analyze(pg_db, "alert") is not None
    assert "alert" not in await analyze_stale(pg_db)


async def test_a_few_changed_rows_leave_the_statistics_alone(pg_db, cfg):
    await _ingest(pg_db, cfg, 20)
    await _until_reported(pg_db, "alert", 20)
    assert "alert" not in await analyze_stale(pg_db)
    assert await _last_analyze(pg_db, "alert") is None


async def test_sqlite_has_nothing_to_analyze(sqlite_db, cfg):
    await _ingest(sqlite_db, cfg, 120)
    assert await analyze_stale(sqlite_db) == []
