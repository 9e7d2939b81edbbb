"""Weekly windows in local time: day sets such as "mon-fri" and clock ranges.

A window whose end is not after its start runs overnight: `fri 18:00-08:00` covers
Friday evening until Saturday 08:00. Everything here works on local wall-clock
time, so a window means the same hours on both sides of a DST change.
"""

from datetime import date, datetime, time, timedelta

from handlers.timing.parse import DAYS


def parse_days(spec: str) -> frozenset[int]:
    """'mon-fri', 'sat,sun' or 'fri-mon' into weekday numbers (Monday is 0)."""
    days: set[int] = set()
    for part in spec.lower().split(","):
        first, dash, last = part.strip().partition("-")
        for name in (first, last) if dash else (first,):
            if name not in DAYS:
                raise ValueError(
                    f"{name!r} in {spec!r} is not a day; use mon..sun, e.g. mon-fri or sat,sun"
                )
        start = DAYS.index(first)
        end = DAYS.index(last) if last else start
        days.update(range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)])
    return frozenset(days)


def covers(days: frozenset[int], start: time, end: time, local: datetime) -> bool:
    """Whether the window holds the local wall-clock instant `local`."""
    now = local.time()
    if start < end:
        return local.weekday() in days and start <= now < end
    yesterday = (local.weekday() - 1) % 7
    return (local.weekday() in days and now >= start) or (yesterday in days and now < end)


def edges(days: frozenset[int], start: time, end: time, first: date, last: date) -> list[datetime]:
    """Naive local instants where the window opens or closes, for days first..last."""
    found = []
    day = first
    while day <= last:
        if day.weekday() in days:
            closes = day + timedelta(days=0 if start < end else 1)
            found += [datetime.combine(day, start), datetime.combine(closes, end)]
        day += timedelta(days=1)
    return found
