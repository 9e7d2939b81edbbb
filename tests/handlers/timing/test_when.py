"""Times people type for overrides, read in the tenant's zone (DST included)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.timing.parse import parse_instant, parse_range

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # Friday; clocks go forward on Sunday


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("now", NOW),
    ("18:00", utc(2026, 3, 27, 18)),
    ("9:30", utc(2026, 3, 27, 9, 30)),
    ("tomorrow 18:00", utc(2026, 3, 28, 18)),
    ("sun 18:00", utc(2026, 3, 29, 17)),  # BST by then
    ("mon 09:00", utc(2026, 3, 30, 8)),
    ("2026-04-01 08:00", utc(2026, 4, 1, 7)),
    ("2026-04-01T08:00", utc(2026, 4, 1, 7)),
    ("2026-04-01T08:00:00Z", utc(2026, 4, 1, 8)),
    ("2026-04-01T08:00+02:00", utc(2026, 4, 1, 6)),
])
def test_instants(text, expected):
    assert parse_instant(text, LONDON, NOW) == expected


@pytest.mark.parametrize("text", ["soon", "25:00", "tomorrow", "next week 18:00", "funday 09:00"])
def test_bad_instants_name_the_forms(text):
    with pytest.raises(ValueError, match="is not a time; write now, 18:00"):
        parse_instant(text, LONDON, NOW)


@pytest.mark.parametrize(("text", "expected"), [
    ("tomorrow 18:00-22:00", (utc(2026, 3, 28, 18), utc(2026, 3, 28, 22))),
    ("18:00 22:00", (utc(2026, 3, 27, 18), utc(2026, 3, 27, 22))),
    ("22:00 06:00", (utc(2026, 3, 27, 22), utc(2026, 3, 28, 6))),  # past midnight
    ("sat 22:00 to sun 06:00", (utc(2026, 3, 28, 22), utc(2026, 3, 29, 5))),  # over the change
    ("2026-04-01 18:00 2026-04-02 08:00", (utc(2026, 4, 1, 17), utc(2026, 4, 2, 7))),
])
def test_ranges(text, expected):
    assert parse_range(text, LONDON, NOW) == expected


def test_bad_range_shows_an_example():
    with pytest.raises(ValueError, match="e.g. tomorrow 18:00-22:00"):
        parse_range("tonight", LONDON, NOW)
