"""NIS2 Article 23's clocks, the step a command names, and how `significant` is typed in
chat: pure functions, checked against dates worked out by hand."""

from datetime import UTC, datetime

import pytest

from handlers.chat.parse import Act, Usage, parse
from handlers.enums import Nis2Stage, Verb
from handlers.significant import add_month, deadlines, entry, parse_stage, significant_view

FLAGGED = datetime(2026, 11, 20, 14, 2, tzinfo=UTC)
S = Nis2Stage


def test_early_warning_and_notification_run_from_the_flag():
    due = deadlines(FLAGGED, {}, "Europe/London")
    assert due[S.EARLY_WARNING] == datetime(2026, 11, 21, 14, 2, tzinfo=UTC)
    assert due[S.NOTIFICATION] == datetime(2026, 11, 23, 14, 2, tzinfo=UTC)
    # Not yet notified: a month after the notification was due.
    assert due[S.FINAL_REPORT] == datetime(2026, 12, 23, 14, 2, tzinfo=UTC)


def test_the_final_report_runs_from_the_notification_as_submitted():
    notified = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    due = deadlines(FLAGGED, {S.NOTIFICATION: notified}, "UTC")
    assert due[S.FINAL_REPORT] == datetime(2026, 12, 21, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("at", "zone", "expected"), [
    (datetime(2026, 1, 31, 12, 0, tzinfo=UTC), "UTC", datetime(2026, 2, 28, 12, 0, tzinfo=UTC)),
    (datetime(2028, 1, 31, 12, 0, tzinfo=UTC), "UTC", datetime(2028, 2, 29, 12, 0, tzinfo=UTC)),
    (datetime(2026, 12, 15, 8, 0, tzinfo=UTC), "UTC", datetime(2027, 1, 15, 8, 0, tzinfo=UTC)),
    # 23:30 on 30 April in New York is 03:30 UTC on 1 May: the month is New York's, and
    # its clock keeps the wall time across the autumn change (EDT -> EST).
    (datetime(2026, 5, 1, 3, 30, tzinfo=UTC), "America/New_York",
     datetime(2026, 5, 31, 3, 30, tzinfo=UTC)),
    (datetime(2026, 10, 20, 12, 0, tzinfo=UTC), "America/New_York",
     datetime(2026, 11, 20, 13, 0, tzinfo=UTC)),
])
def test_a_month_is_a_calendar_month_in_the_tenants_zone(at, zone, expected):
    assert add_month(at, zone) == expected


@pytest.mark.parametrize(("typed", "stage"), [
    (None, S.FLAGGED), ("", S.FLAGGED), ("early-warning", S.EARLY_WARNING),
    ("Early_Warning", S.EARLY_WARNING), ("early warning", S.EARLY_WARNING),
    ("notification", S.NOTIFICATION), ("FINAL-REPORT", S.FINAL_REPORT),
])
def test_parse_stage(typed, stage):
    assert parse_stage(typed) is stage


def test_an_unknown_report_is_named_with_the_choices():
    with pytest.raises(ValueError) as error:
        parse_stage("flagged")
    assert str(error.value) == ("There is no NIS2 report called 'flagged'; name one of: "
                                "early-warning, notification, final-report.")


def test_the_view_names_the_next_report_not_recorded():
    assert significant_view(None, {}, "UTC") is None
    stages = {"flagged": entry(FLAGGED, "lee@acme.example", "customer data exposed")}
    view = significant_view(FLAGGED, stages, "UTC")
    assert (view.reason, view.recorded) == ("customer data exposed", ())
    assert (view.next_stage, view.next_due) == (S.EARLY_WARNING,
                                                datetime(2026, 11, 21, 14, 2, tzinfo=UTC))
    warned = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
    stages["early_warning"] = entry(warned, "sam@acme.example", "")
    view = significant_view(FLAGGED, stages, "UTC")
    assert view.recorded == ((S.EARLY_WARNING, warned),) and view.next_stage is S.NOTIFICATION
    for stage in ("notification", "final_report"):
        stages[stage] = entry(warned, "sam@acme.example", "")
    view = significant_view(FLAGGED, stages, "UTC")
    assert (view.next_stage, view.next_due, len(view.recorded)) == (None, None, 3)


@pytest.mark.parametrize(("text", "expected"), [
    ("significant acme-7 customer <data> exposed",
     Act(Verb.SIGNIFICANT, "ACME-7", {"note": "customer <data> exposed"})),
    ("significant ACME-7 early-warning sent to the CSIRT, ref 42",
     Act(Verb.SIGNIFICANT, "ACME-7", {"stage": "early-warning",
                                      "note": "sent to the CSIRT, ref 42"})),
    ("significant ACME-7 Final-Report",
     Act(Verb.SIGNIFICANT, "ACME-7", {"stage": "final-report", "note": ""})),
    ("significant ACME-7 notification", Act(Verb.SIGNIFICANT, "ACME-7", {
        "stage": "notification", "note": ""})),
])
def test_chat_parses_a_flag_and_a_report(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize("text", ["significant", "significant ACME-7"])
def test_chat_asks_for_the_reason(text):
    with pytest.raises(Usage) as error:
        parse(text)
    assert "Usage: significant ID REASON" in str(error.value)
