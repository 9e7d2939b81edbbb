"""Planner statistics for the PostgreSQL tables nobody has analyzed lately.

autovacuum keeps them where it runs; where it is off (as on this project's test
machine) or has not reached a new database yet, the planner has none, takes every
table for nearly empty and picks plans that read every pending outbox row once per
alert: 12 ms for intake's read of 32 live alerts over 1,000 pending refreshes, against
0.8 ms after an ANALYZE. So Tandem applies autovacuum's own rule itself: a table is
analyzed once more of its rows changed since its last ANALYZE than 50 and a tenth of
its rows. Where autovacuum does run, it has usually analyzed them first. SQLite's
planner chose well without statistics in every plan measured, so it has none of this.
"""

from sqlalchemy import text

from storage.db import Database

_STALE = text("""
SELECT relname FROM pg_stat_user_tables
WHERE schemaname = current_schema() AND n_mod_since_analyze > 50 + 0.1 * n_live_tup
ORDER BY relname
""")


async def analyze_stale(db: Database) -> list[str]:
    """ANALYZE the tables whose statistics are stale; their names."""
    if db.dialect != "postgresql":
        return []
    async with db.engine.connect() as conn:
        names = list((await conn.execute(_STALE)).scalars())
        quote = conn.dialect.identifier_preparer.quote
        for name in names:
            await conn.execute(text(f"ANALYZE {quote(name)}"))
        await conn.commit()
    return names
