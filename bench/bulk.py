"""Loading many alerts fast for the escalation and digest benchmarks.

PostgreSQL gets COPY (asyncpg's copy_records_to_table); SQLite gets executemany in
large batches. Both write the same columns the application would.
"""

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice

from sqlalchemy import insert

from handlers.config.schema import TandemConfig
from handlers.config.sync import sync
from storage import migrate
from storage.db import Database, connect
from storage.models import Alert

COLUMNS = ("tenant_id", "number", "short_id", "source", "fingerprint", "title", "description",
           "severity", "labels", "links", "channels", "status", "owner_email", "owner_side",
           "escalation_level", "escalation_generation", "count", "version", "first_seen",
           "last_seen", "claimed_at", "resolved_at", "snoozed_until", "next_escalation_at")
JSON_COLUMNS = {"labels", "links", "channels"}
BATCH = 20_000


def alert_row(tenant: str, code: str, number: int, **values) -> dict:
    row = {"tenant_id": tenant, "number": number, "short_id": f"{code}-{number}",
           "source": "prometheus", "fingerprint": f"fp-{number}", "title": f"Alert {number}",
           "description": "", "severity": "high", "labels": {}, "links": [], "channels": [],
           "status": "open", "owner_email": None, "owner_side": None, "escalation_level": 0,
           "escalation_generation": 0, "count": 1, "version": 1, "claimed_at": None,
           "resolved_at": None, "snoozed_until": None, "next_escalation_at": None}
    row.update(values)
    row.setdefault("last_seen", row["first_seen"])
    return row


def _batches(rows: Iterable[dict]) -> Iterator[list[dict]]:
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        yield batch


def _record(row: dict) -> tuple:
    """A COPY record: JSON as text, times as naive UTC (what UTCDateTime stores)."""
    out = []
    for name in COLUMNS:
        value = row[name]
        if name in JSON_COLUMNS:
            value = json.dumps(value)
        elif isinstance(value, datetime):
            value = value.astimezone(UTC).replace(tzinfo=None)
        out.append(value)
    return tuple(out)


async def insert_alerts(db: Database, rows: Iterable[dict]) -> int:
    count = 0
    async with db.engine.begin() as conn:
        for batch in _batches(rows):
            if db.dialect == "postgresql":
                raw = (await conn.get_raw_connection()).driver_connection
                await raw.copy_records_to_table("alert", records=[_record(r) for r in batch],
                                                columns=list(COLUMNS))
            else:
                await conn.execute(insert(Alert.__table__), batch)
            count += len(batch)
    return count


async def prepared(url: str, cfg: TandemConfig) -> Database:
    """A migrated database holding `cfg`'s tenants and people."""
    db = connect(url, sqlite_synchronous="NORMAL")
    await migrate.upgrade(db)
    async with db.unit() as uow:
        await sync(uow, cfg)
    return db


async def analyze(db: Database) -> None:
    """Fresh planner statistics, as a database in service would have."""
    async with db.engine.begin() as conn:
        await conn.exec_driver_sql("ANALYZE")

