"""The report's pure rules: months, calendar months, percentiles, the JSON's form."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.evidence.month import NoReport, month_in, parse_month
from handlers.evidence.payload import _plain
from handlers.evidence.response import p90, times
from handlers.evidence.view import Times
from handlers.significant import add_month

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "nov", "2026-1", "2026/11", ""])
def test_a_malformed_month_is_refused_in_one_sentence(text):
    with pytest.raises(NoReport, match=r"is not a month; write it as YYYY-MM, e.g. 2026-11\.$"):
        parse_month(text)


def test_december_runs_to_the_first_of_january():
    month = month_in("2026-12", "Europe/London")
    assert (month.starts, month.ends) == (datetime(2026, 12, 1, tzinfo=UTC),
                                          datetime(2027, 1, 1, tzinfo=UTC))
    assert (len(month.days()), month.days()[-1]) == (31, date(2026, 12, 31))


def test_a_summer_month_starts_at_local_midnight():
    month = month_in("2026-07", "Europe/London")
    assert month.starts == datetime(2026, 6, 30, 23, tzinfo=UTC)
    assert (len(month.midnights), month.midnights[-2:]) == (32, (
        datetime(2026, 7, 30, 23, tzinfo=UTC), datetime(2026, 7, 31, 23, tzinfo=UTC)))


@pytest.mark.parametrize(("flagged", "due"), [
    (datetime(2026, 1, 31, 12, tzinfo=UTC), datetime(2026, 2, 28, 12, tzinfo=UTC)),
    (datetime(2026, 12, 15, 8, tzinfo=UTC), datetime(2027, 1, 15, 8, tzinfo=UTC)),
    # 09:00 BST on 1 October is 09:00 GMT on 1 November: an hour more than 31 days
    (datetime(2026, 10, 1, 8, tzinfo=UTC), datetime(2026, 11, 1, 9, tzinfo=UTC)),
])
def test_one_calendar_month_later_in_local_time(flagged, due):
    assert add_month(flagged, "Europe/London") == due


def test_p90_is_the_nearest_rank():
    assert p90([float(n) for n in range(1, 11)]) == 9.0
    assert p90([5.0]) == 5.0
    assert p90([3.0, 1.0, 2.0]) == 3.0  # ceil(2.7) = 3rd of 3
    assert p90([]) is None


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two():
    found = times({"all": [4.0, 1.0, 3.0, 2.0], "internal": [], "partner": [7.0]})
    assert found == (Times("all", 4, 2.5, 4.0), Times("internal", 0, None, None),
                     Times("partner", 1, 7.0, 7.0))


def test_json_times_end_in_z_and_durations_are_rounded():
    at = datetime(2026, 11, 5, 14, 3, 7, 250000, tzinfo=ZoneInfo("America/New_York"))
    assert _plain(at) == "2026-11-05T19:03:07.250000Z"
    assert _plain({"b": 1.26, "a": 2}, "median_seconds") == {"a": 2, "b": 1.3}
    assert _plain(0.123456, "share") == 0.1235
