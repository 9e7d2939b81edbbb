"""How pages word times, ages and audit details (Jinja2 filters); the cards' words for
everything an alert shows come from cards.format."""

import json
from datetime import datetime, timedelta
from typing import Any

from cards import format as F
from handlers.console import BoardRow
from handlers.enums import Status

DETAIL_LIMIT = 300


def when(at: datetime | None, timezone: str) -> str:
    """E.g. '2026-11-22 14:02 GMT', in the tenant's time zone."""
    return F.format_time(at, timezone) if at is not None else ""


def age(since: datetime, now: datetime) -> str:
    """How long ago, in the largest whole unit: '40 s', '12 min', '3 h', '2 d'."""
    seconds = max(int((now - since) / timedelta(seconds=1)), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def _one_line(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return F.truncate(" ".join(text.split()), DETAIL_LIMIT)


def details(values: dict[str, Any]) -> list[tuple[str, str]]:
    """An audit event's details as (key, value) pairs, sorted, each value on one line
    (lists and mappings as JSON)."""
    return [(str(k), _one_line(v)) for k, v in sorted(values.items(), key=lambda kv: str(kv[0]))]


def row_status(row: BoardRow) -> str:
    """A board row's status in the card's words (cards.format.status_text)."""
    words = F.STATUS_WORDS[row.status]
    if row.status == Status.REMEDIATION_APPROVED and row.fix is not None:
        words = F.FIX_STATUS_WORDS.get(row.fix.status, words)
    if row.status == Status.SNOOZED and row.snoozed_until is not None:
        return f"{words} until {when(row.snoozed_until, row.timezone)}"
    return words


FILTERS = {"when": when, "age": age, "details": details, "row_status": row_status}
