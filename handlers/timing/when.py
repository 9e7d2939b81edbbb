"""Instants people type, read in the tenant's time zone unless they carry an offset.

Accepted: "now", "18:00", "today 18:00", "tomorrow 18:00", "fri 18:00",
"2026-11-21 18:00", "2026-11-21T18:00" and full ISO 8601 with an offset or Z.
"""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.timing.weekly import DAYS, parse_clock

_FORMS = "now, 18:00, tomorrow 18:00, fri 18:00, 2026-11-21 18:00 or an ISO time"
_RANGE = re.compile(r"\b(\d{1,2}:\d{2})-(\d{1,2}:\d{2})\b")


def _day(word: str, today: date) -> date | None:
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    if word in DAYS:
        return today + timedelta(days=(DAYS.index(word) - today.weekday()) % 7)
    try:
        return date.fromisoformat(word)
    except ValueError:
        return None


def _iso(text: str, zone: ZoneInfo) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)).astimezone(UTC)


def parse_instant(text: str, zone: ZoneInfo, now: datetime,
                  after: datetime | None = None) -> datetime:
    """`text` as an aware UTC instant; raises ValueError naming the problem.

    A bare time of day is on today's date, or, when `after` is given (the end of a
    range), on the date of `after`, moving a day on if it would not come after it.
    """
    words = text.strip().lower().split()
    if words == ["now"]:
        return now
    found = _iso(text.strip(), zone) if len(words) == 1 and "-" in text else None
    if found is not None:
        return found
    if len(words) not in (1, 2):
        raise ValueError(f"{text!r} is not a time; write {_FORMS}")
    base = (after or now).astimezone(zone).date()
    day = _day(words[0], base) if len(words) == 2 else base
    try:
        clock = parse_clock(words[-1].zfill(5))
    except ValueError:
        clock = None
    if day is None or clock is None:
        raise ValueError(f"{text!r} is not a time; write {_FORMS}")
    moment = datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
    if after is not None and len(words) == 1 and moment <= after:
        moment = datetime.combine(day + timedelta(days=1), clock, tzinfo=zone).astimezone(UTC)
    return moment


def parse_range(text: str, zone: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    """'tomorrow 18:00-22:00', '18:00 22:00', '2026-11-21 18:00 to 2026-11-22 08:00'."""
    words = _RANGE.sub(r"\1 \2", text).replace(" to ", " ").replace(" until ", " ").split()
    for split in range(1, len(words)):
        try:
            start = parse_instant(" ".join(words[:split]), zone, now)
            end = parse_instant(" ".join(words[split:]), zone, now, after=start)
        except ValueError:
            continue
        return start, end
    raise ValueError(
        f"{text!r} is not a start and an end; write e.g. tomorrow 18:00-22:00 "
        f"or 2026-11-21 18:00 2026-11-22 08:00"
    )
