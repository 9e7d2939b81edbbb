from datetime import UTC, datetime

import pytest

from cards.report import words as W


@pytest.mark.parametrize(("seconds", "text"), [
    (None, "–"),
    (0, "0 s"),
    (42.4, "42 s"),
    (59.6, "1 min"),
    (252, "4 min 12 s"),
    (900, "15 min"),
    (3929, "1 h 05 min"),
    (3600 * 5 + 33 * 60, "5 h 33 min"),
    (86399, "1 d"),
    (93600, "1 d 02 h"),
    (-5, "0 s"),
])
def test_durations_read_as_people_say_them(seconds, text):
    assert W.duration(seconds) == text


def test_times_are_in_the_named_zone_and_an_unknown_zone_is_utc():
    at = datetime(2026, 11, 3, 13, 2, 7, tzinfo=UTC)
    assert W.when(at, W.zone("Europe/Berlin")) == "2026-11-03 14:02:07 CET"
    assert W.when(datetime(2026, 7, 3, 13, 0), W.zone("Europe/Berlin")) == (
        "2026-07-03 15:00:00 CEST")
    assert W.zone("Mars/Olympus").key == "UTC"
    assert W.zone("../etc").key == "UTC"
    assert W.when(None, W.zone("UTC")) == "–"


def test_months_shares_and_words():
    assert W.month_name("2026-11") == "November 2026"
    assert W.month_name("2026-13") == "2026-13"
    assert W.month_name("soon") == "soon"
    assert W.share(0.1337) == "13.4 %"
    assert (W.hours(168.0), W.hours(12.5)) == ("168 h", "12.5 h")
    assert W.outcome("done by hand") == "Done by hand"
    assert W.outcome("new-state") == "New-state"
    assert W.person("Dana", "partner") == "Dana (partner)"
    assert W.person("graph", None) == "graph"
    assert W.truncate("abcdef", 4) == "abc…"


def test_counts_and_their_nouns():
    assert W.number(1841) == "1,841" and W.number(7) == "7"
    assert (W.noun(1, "escalation"), W.noun(2, "escalation")) == ("escalation", "escalations")
    assert (W.noun(0, "fix", "fixes"), W.noun(1, "fix", "fixes")) == ("fixes", "fix")
    assert W.clocks(["open", "met", "open"]) == "1 met, 2 open"
    assert W.clocks([]) == "–"
