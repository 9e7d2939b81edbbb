"""Intake's two statements for every group of events: read the live alerts of the
group's fingerprints, and count the repeats.

An alert storm is mostly these two. On SQLite they go straight to the unit of work's
sqlite3 connection, inside its savepoint, and need no ORM session (storage/unit.py):
through SQLAlchemy each cost ten to twenty times the statement itself (execution
context, parameter and result processing, greenlet switches), and that overhead was
most of what a repeated alert cost. On PostgreSQL, where the round trip is the cost,
they stay SQLAlchemy statements: asyncpg begins its transaction lazily on SQLAlchemy's
first statement, so a raw call could land outside it.
"""

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.types import TypeEngine
from sqlmodel import col

from storage.models import UNRESOLVED_SQL, Alert, table_of
from storage.outbox_models import Outbox
from storage.queries import LIVE
from storage.unit import UnitOfWork


class LiveAlert(NamedTuple):
    """What intake needs of a live alert to count a repeat and refresh its cards. Read
    as plain columns into a tuple: loading whole alerts (ORM state, JSON columns,
    datetimes) for every repeat in a storm cost more than the rest of the repeat."""

    id: int
    tenant_id: str
    short_id: str
    fingerprint: str
    status: str
    # Only whether it is set matters (a trigger then un-acknowledges the alert); on
    # SQLite it stays the stored text.
    source_acknowledged_at: datetime | str | None
    channels: list[str]


Carded = set[tuple[int, str, str]]  # (alert, platform, channel) with a refresh queued

_LIVE = (
    select(col(Alert.id), col(Alert.tenant_id), col(Alert.short_id), col(Alert.fingerprint),
           col(Alert.status), col(Alert.source_acknowledged_at), col(Alert.channels),
           col(Outbox.platform), col(Outbox.channel))
    .outerjoin(Outbox, (col(Outbox.alert_id) == Alert.id) & col(Outbox.done_at).is_(None)
               & (col(Outbox.kind) == "card"))
    .where(col(Alert.tenant_id) == bindparam("tenant"),
           col(Alert.fingerprint).in_(bindparam("keys", expanding=True)), LIVE)
)
# The same query for the sqlite3 connection; the keys come as one JSON array, so the
# text (and sqlite3's prepared statement) is the same whatever their number.
_LIVE_SQLITE = """
SELECT alert.id, alert.tenant_id, alert.short_id, alert.fingerprint, alert.status,
       alert.source_acknowledged_at, alert.channels, outbox.platform, outbox.channel
FROM alert LEFT OUTER JOIN outbox
  ON outbox.alert_id = alert.id AND outbox.done_at IS NULL AND outbox.kind = 'card'
WHERE alert.tenant_id = ? AND alert.fingerprint IN (SELECT value FROM json_each(?))
  AND alert.""" + UNRESOLVED_SQL + "\n"

_TABLE = table_of(Alert)
_REPEATS = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("alert_id"))
    .values(count=_TABLE.c.count + bindparam("n"),
            last_seen=func.greatest(_TABLE.c.last_seen,
                                    bindparam("seen", type_=_TABLE.c.last_seen.type)),
            version=_TABLE.c.version + 1)
)
# SQLite's max() of two values is PostgreSQL's greatest(); the time is bound as the
# column's own type binds it on SQLite (naive UTC text, which sorts as time).
_REPEATS_SQLITE = ("UPDATE alert SET count = count + ?, last_seen = max(last_seen, ?), "
                   "version = version + 1 WHERE id = ?")
_SQLITE = sqlite.dialect()


def _sqlite_binding(type_: TypeEngine[Any]) -> Callable[[Any], Any]:
    """How a column type turns a value into what SQLite stores."""
    bind = type_.dialect_impl(_SQLITE).bind_processor(_SQLITE)
    if bind is None:  # UTCDateTime, the type it is used for, converts every value
        raise TypeError(f"{type_} binds values unconverted on SQLite")
    return bind


_SEEN_SQLITE = _sqlite_binding(_TABLE.c.last_seen.type)


async def read(unit: UnitOfWork, tenant_id: str,
               keys: set[str]) -> tuple[dict[str, LiveAlert | Alert], Carded]:
    """The unresolved alerts of these fingerprints, by fingerprint, and the card
    refreshes already waiting in the outbox for them. Intake keeps the alerts it
    creates or reopens in the same dict."""
    live: dict[str, LiveAlert | Alert] = {}
    carded: Carded = set()
    if not keys:
        return live, carded
    if unit.driver is not None:
        found: Iterable[Sequence[Any]] = unit.driver.fetch(
            _LIVE_SQLITE, (tenant_id, json.dumps(list(keys))))
    else:
        found = await (await unit.session()).execute(
            _LIVE, {"tenant": tenant_id, "keys": list(keys)})
    for *columns, channels, platform, channel in found:
        if isinstance(channels, str):  # the sqlite3 row: JSON as stored
            channels = [] if channels == "[]" else json.loads(channels)
        alert = LiveAlert._make((*columns, channels))
        live[alert.fingerprint] = alert  # one row per queued refresh: the same alert
        if platform is not None:
            carded.add((alert.id, platform, channel))
    return live, carded


async def count_repeats(unit: UnitOfWork, repeats: Mapping[int, int], seen: datetime) -> None:
    """Add each alert's repeats to its count, move last_seen up to `seen` and the
    version on (the card shows the count; the outbox re-renders on a new version)."""
    if unit.driver is not None:
        stored = _SEEN_SQLITE(seen)
        unit.driver.many(_REPEATS_SQLITE, [(n, stored, i) for i, n in repeats.items()])
        return
    await (await unit.session()).execute(
        _REPEATS, [{"alert_id": i, "n": n, "seen": seen} for i, n in repeats.items()])
