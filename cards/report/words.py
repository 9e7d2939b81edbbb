"""How the report says times, durations and the view's words, as plain strings.

Escaping is the template's job (Jinja2 autoescape); nothing here returns markup.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from handlers.timing.zones import zone_or_utc

NONE = "–"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
SIDES = {"all": "Overall", "internal": "Internal", "partner": "Partner"}
OUTCOMES = {
    "pending": "Awaiting approval",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
    "expired": "Expired",
    "executing": "Running",
    "executed": "Executed",
    "failed": "Failed",
    "done by hand": "Done by hand",
}
CLOCK_STATES = {"met": "Met", "missed": "Missed", "open": "Open"}
CLOCK_RULES = {
    "early warning": "24 h after becoming aware",
    "notification": "72 h after becoming aware",
    "final report": "one month after the notification",
}


def zone(name: str) -> ZoneInfo:
    """The tenant's zone; an unknown name is shown, and named, as UTC."""
    return zone_or_utc(name)


def when(at: datetime | None, tz: ZoneInfo) -> str:
    """E.g. '2026-11-03 14:02:07 CET'; a naive time is taken as UTC."""
    if at is None:
        return NONE
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %Z")


def w3c(at: datetime) -> str:
    """UTC in the W3C form WeasyPrint reads for the PDF's creation date."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def month_name(month: str) -> str:
    """'2026-11' -> 'November 2026'; anything else is shown as given."""
    year, _, number = month.partition("-")
    if year.isdigit() and number.isdigit() and 1 <= int(number) <= 12:
        return f"{MONTHS[int(number) - 1]} {year}"
    return month


def duration(seconds: float | None) -> str:
    """E.g. '42 s', '4 min 05 s', '1 h 05 min', '2 d 03 h'; '–' when nothing was measured.

    Precision falls with size: seconds under an hour, minutes under a day, hours after.
    """
    if seconds is None:
        return NONE
    whole = max(round(seconds), 0)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        minutes, rest = divmod(whole, 60)
        return f"{minutes} min {rest:02d} s" if rest else f"{minutes} min"
    minutes = round(whole / 60)
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest:02d} min" if rest else f"{hours} h"
    hours = round(whole / 3600)
    days, rest = divmod(hours, 24)
    return f"{days} d {rest:02d} h" if rest else f"{days} d"


def truncate(text: str, limit: int) -> str:
    """Cut to at most `limit` characters, marking a cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def hours(value: float) -> str:
    """On-call hours: '168 h', '12.5 h'."""
    return f"{value:.0f} h" if float(value).is_integer() else f"{value:.1f} h"


def share(value: float) -> str:
    """A fraction 0..1 as a percentage: '23.4 %'."""
    return f"{value * 100:.1f} %"


def side(name: str | None) -> str:
    return SIDES.get(name, name) if name else NONE


def person(name: str, side_name: str | None) -> str:
    """'Dana Reyes (partner)', or the name alone when no side is known."""
    return f"{name} ({side_name})" if side_name else name


def outcome(name: str) -> str:
    return OUTCOMES.get(name, name.capitalize())


def clock_state(name: str) -> str:
    return CLOCK_STATES.get(name, name.capitalize())


def clock_rule(name: str) -> str:
    return CLOCK_RULES.get(name, "")


def since(start: datetime, at: datetime | None) -> str:
    """How long after `start`: '+1 h 05 min', or '' when `at` did not happen."""
    return "" if at is None else f"+{duration((at - start).total_seconds())}"
