"""Durations people type: 15m, 2h, 1d, 1h30m, or a bare number of minutes."""

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)\s*([wdhm])")
_UNIT = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}


def parse_duration(text: str) -> timedelta:
    """Parse `text`; raises ValueError naming the problem."""
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned.isdigit():
        cleaned += "m"
    parts = _PART.findall(cleaned)
    if not parts or "".join(n + u for n, u in parts) != cleaned:
        raise ValueError(f"{text!r} is not a duration; write it like 15m, 2h, 1d or 1h30m")
    total = timedelta()
    for number, unit in parts:
        total += timedelta(**{_UNIT[unit]: int(number)})
    if total <= timedelta(0):
        raise ValueError("a duration must be longer than zero")
    return total
