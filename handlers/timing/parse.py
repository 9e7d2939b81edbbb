"""Times people type: durations, clock times and instants.

Durations: 15m, 2h, 1d, 1h30m, or a bare number of minutes. Clock times: 08:00 (a
time of day in configuration; commands also take 8:00). Instants are read in the
tenant's time zone unless they carry an offset: "now", "18:00", "today 18:00",
"tomorrow 18:00", "fri 18:00", "2026-11-21 18:00", "2026-11-21T18:00" and full ISO
8601 with an offset or Z.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_TYPED_CLOCK = r"\d{1,2}:\d{2}"  # how a command may write one, checked by parse_clock
_PART = re.compile(r"(\d+)\s*([wdhm])")
_UNIT = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}
_FORMS = "now, 18:00, tomorrow 18:00, fri 18:00, 2026-11-21 18:00 or an ISO time"
_RANGE = re.compile(rf"\b({_TYPED_CLOCK})-({_TYPED_CLOCK})\b")


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


def parse_clock(text: str) -> time:
    """'08:00' into a time; raises ValueError naming the problem."""
    if not _CLOCK.match(text.strip()):
        raise ValueError(f"{text!r} is not a time of day; write it like 08:00 or 18:30")
    return time.fromisoformat(text.strip())


def looks_like_clock(word: str) -> bool:
    """Whether a command's word is written as a time of day (8:00 or 08:00)."""
    return re.fullmatch(_TYPED_CLOCK, word) is not None


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
