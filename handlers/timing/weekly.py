"""Weekly windows in local time: days of the week and a clock range.

Business hours, an on-call layer's `only` and a weekly silence are each a Window. One
whose end is not after its start runs overnight: `fri 18:00-08:00` covers Friday
evening until Saturday 08:00. Everything here works on local wall-clock time, so a
window means the same hours on both sides of a DST change.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from handlers.timing.parse import DAYS, parse_clock


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


@dataclass(frozen=True)
class Window:
    days: frozenset[int]  # weekday numbers, Monday is 0
    start: time
    end: time

    @classmethod
    @lru_cache(maxsize=1024)  # routing, on-call and silences read the same few often
    def parse(cls, days: str, start: str, end: str) -> "Window":
        """From days written like 'mon-fri' or 'sat,sun' and clock times like '08:00';
        raises ValueError naming the problem."""
        return cls(parse_days(days), parse_clock(start), parse_clock(end))

    def holds(self, local: datetime) -> bool:
        """Whether the window holds the local wall-clock instant `local`."""
        now = local.time()
        if self.start < self.end:
            return local.weekday() in self.days and self.start <= now < self.end
        yesterday = (local.weekday() - 1) % 7
        return (local.weekday() in self.days and now >= self.start) or (
            yesterday in self.days and now < self.end)

    def edges(self, first: date, last: date) -> list[datetime]:
        """Naive local instants where the window opens or closes, for days first..last."""
        found = []
        day = first
        while day <= last:
            if day.weekday() in self.days:
                closes = day + timedelta(days=0 if self.start < self.end else 1)
                found += [datetime.combine(day, self.start), datetime.combine(closes, self.end)]
            day += timedelta(days=1)
        return found
