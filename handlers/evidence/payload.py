"""The report as JSON: `tandem report --format json`, and what a reader can diff.

Stable for the same data: keys sorted, times as ISO 8601 UTC ending in "Z", days as
YYYY-MM-DD, durations (`*_seconds`) in seconds rounded to 0.1, hours to 0.01 and
shares to 0.0001, so the same report is the same bytes apart from `generated_at`.
"""

from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from handlers.evidence.view import ReportView

VERSION = 1
_ROUNDING = {"hours": 2, "share": 4}


def _time(at: datetime) -> str:
    return at.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


def _number(name: str, value: float) -> float:
    return round(value, 1 if name.endswith("_seconds") else _ROUNDING.get(name, 6))


@cache
def _names(kind: type) -> tuple[str, ...]:
    return tuple(sorted(f.name for f in fields(kind)))


def _plain(value: object, name: str = "") -> Any:
    if value is None or isinstance(value, str | int):
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return {n: _plain(getattr(value, n), n) for n in _names(type(value))}
    if isinstance(value, datetime):
        return _time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v, name) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_plain(v, name) for v in value]
    if isinstance(value, float):
        return _number(name, value)
    return value


def to_json(view: ReportView) -> dict[str, Any]:
    """The view as plain JSON values, with a format version."""
    return {"report": _plain(view), "v": VERSION}
