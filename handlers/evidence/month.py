"""The report's month: "2026-11" read in the tenant's time zone, and calendar months.

A month runs from local midnight on its first day to local midnight on the first day
of the next, so an alert at 23:30 local on the 30th of November belongs to November
even when that instant is already the 1st of December in UTC.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class NoReport(ValueError):
    """A report that cannot be made (unknown tenant, malformed month); the message is one
    sentence for the person who asked."""


@dataclass(frozen=True)
class Month:
    name: str  # "2026-11"
    zone: ZoneInfo
    first: date  # the first local day
    starts: datetime  # aware UTC
    ends: datetime  # aware UTC, the first instant of the next month
    # When each local day begins, then `ends`: an instant's day is the index
    # bisect_right(midnights, at) - 1 (cheaper than a time zone conversion per alert).
    midnights: tuple[datetime, ...]

    def days(self) -> list[date]:
        count = calendar.monthrange(self.first.year, self.first.month)[1]
        return [self.first + timedelta(days=n) for n in range(count)]



def parse_month(text: str) -> tuple[int, int]:
    """'2026-11' -> (2026, 11); NoReport for anything else."""
    found = _MONTH.match(text.strip())
    month = int(found.group(2)) if found else 0
    if found is None or not 1 <= month <= 12:
        raise NoReport(f"{text!r} is not a month; write it as YYYY-MM, e.g. 2026-11.")
    return int(found.group(1)), month


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def month_in(text: str, timezone: str) -> Month:
    year, number = parse_month(text)
    zone = ZoneInfo(timezone)
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    days = (following - first).days
    midnights = tuple(_midnight(first + timedelta(days=n), zone) for n in range(days + 1))
    return Month(f"{year:04d}-{number:02d}", zone, first, midnights[0], midnights[-1],
                 midnights)
