"""A month far bigger than a person reads gives a bounded document: tallies over every row,
the rows that matter most, and how many more the JSON lists."""

import io
import re
from dataclasses import replace

import pytest
from pypdf import PdfReader

from cards import report
from cards.report import limits, select, tallies

from . import large
from .sample import report as sample
from .test_html import Page

COMMAND = "tandem report --tenant acme --month 2026-11 --format json"


@pytest.fixture(scope="module")
def view():
    return large.report()


@pytest.fixture(scope="module")
def html(view) -> str:
    return report.html(view)


def alerts(rows) -> list[int]:
    return [int(row.alert.removeprefix("ACME-")) for row in rows]


def text_of(markup: str) -> str:
    return " ".join(" ".join(Page(markup).text).split())


def test_escalations_the_highest_level_first_then_the_most_recent(view):
    shown = select.escalations(view)
    assert alerts(shown.rows) == [*reversed(large.LEVEL_3), *range(3500, 3450, -7)]
    assert len(shown.rows) == limits.ROWS
    assert shown.more == large.ESCALATIONS - limits.ROWS


def test_fixes_that_did_not_contain_first_then_the_slowest(view):
    shown = select.remediations(view)
    assert alerts(shown.rows) == list(range(2990, 2790, -10))
    executed = replace(view, remediations=tuple(r for r in view.remediations
                                                if r.outcome == "executed"))
    assert alerts(select.remediations(executed).rows)[:3] == [2999, 2998, 2997]


def test_silences_first_those_until_lifted_first_then_the_longest(view):
    shown = select.quiet(view)
    assert [q.scope for q in shown.rows] == [f'service="db-{n}"' for n in (
        28, 24, 20, 16, 12, 8, 4, 0, 29, 27, 26, 25, 23, 22, 21, 19, 18, 17, 15, 14)]
    assert shown.more == large.SILENCES + large.SNOOZES - limits.ROWS


def test_incidents_significant_first_each_the_longest_to_contain_first(view):
    chosen = select.incidents(view)
    significant = list(range(1400, -1, -100))  # contained after 60 + n seconds
    order = [*significant, *(n for n in range(1499, -1, -1) if n not in significant)]
    full, rows = limits.INCIDENT_SECTIONS, limits.INCIDENT_ROWS
    assert alerts(chosen.full) == order[:full]
    assert alerts(chosen.rows) == order[full:full + rows]
    assert chosen.more == large.INCIDENTS - full - rows


def test_an_incident_still_open_counts_until_the_report_was_made(view):
    still_open = replace(view.incidents[1], contained=None, resolved=None)
    others = (view.incidents[0], *view.incidents[2:])
    ordered = select.incidents(replace(view, incidents=(*others, still_open)))
    first_critical = 15 - limits.INCIDENT_SECTIONS  # right after the significant ones
    assert ordered.rows[first_critical].alert == "ACME-1"


def test_a_long_timeline_shows_its_first_and_last_events():
    events = large.incident(7).timeline
    cut = select.timeline(events)
    assert cut.head == events[:limits.TIMELINE_HEAD]
    assert cut.tail == events[-limits.TIMELINE_TAIL:]
    assert cut.skipped == large.EVENTS - limits.TIMELINE_HEAD - limits.TIMELINE_TAIL
    whole = limits.TIMELINE_HEAD + limits.TIMELINE_TAIL + 1  # one skipped row saves nothing
    assert select.timeline(events[:whole]) == select.Timeline(events[:whole], 0, ())


def test_tallies_count_every_row(view):
    assert tallies.escalation_levels(view) == [
        tallies.Tally("Level 1", (2239, 2250, 0, 4489)),
        tallies.Tally("Level 2", (249, 250, 0, 499)),
        tallies.Tally("Level 3", (12, 0, 0, 12)),
    ]
    paged = tallies.paged(view)
    assert len(paged) == limits.PEOPLE + 1
    assert paged[0] == tallies.Tally("Person 00", (167,))
    assert paged[-1].label == f"Everyone else ({30 - limits.PEOPLE} people)"
    assert sum(t.counts[0] for t in paged) == large.ESCALATIONS
    assert tallies.fix_outcomes(view) == [tallies.Tally("Executed", (2700,)),
                                          tallies.Tally("Failed", (300,))]
    assert tallies.containment(view) == (2700, 60.0 + 1500)
    assert tallies.quiet_kinds(view) == (large.SILENCES, large.SNOOZES)
    assert sum(t.counts[-1] for t in tallies.quiet_by_person(view)) == 2030
    assert tallies.clocks(view) == [tallies.Tally("early warning", (0, 15, 0)),
                                    tallies.Tally("notification", (0, 0, 15))]
    critical, significant, every = tallies.incident_counts(view)
    assert (critical.incidents, significant.incidents, every.contained) == (1500, 15, 1500)
    assert significant.median_to_contain == 60.0 + 700


def test_the_document_lists_a_bounded_number_of_rows_and_says_how_many_more(html):
    page = Page(html)
    assert len(page.headings["h3"]) == limits.INCIDENT_SECTIONS
    text = text_of(html)
    listed = limits.INCIDENT_SECTIONS + limits.INCIDENT_ROWS
    for count, what in ((4980, "escalations"), (2980, "fixes"), (2010, "silences and snoozes"),
                        (large.INCIDENTS - listed, "incidents")):
        assert f"…and {count:,} more {what}: {COMMAND} lists every one." in text
    assert "… 18 more events …" in text
    assert "Timeline: the first 8 and last 4 of 30 events" in text
    assert "Everyone else (18 people) 2,996" in text
    assert f"Key times of the next {limits.INCIDENT_ROWS} incidents" in text
    assert "ACME-1400 · Incident 1400" in text and "ACME-1100 Incident 1100" in text
    assert "ACME-1486" not in text and "ACME-1487 Incident 1487" in text


def test_ten_times_the_month_gives_the_same_size_of_document(view, html):
    bigger = replace(view, escalations=view.escalations * 10, quiet=view.quiet * 10,
                     remediations=view.remediations * 10, incidents=view.incidents * 10)
    rows = len(re.findall("<tr", html))
    assert len(re.findall("<tr", report.html(bigger))) == rows
    assert rows < 400


def test_a_small_month_lists_everything_and_promises_nothing_more():
    text = text_of(report.html(sample()))
    assert "lists every one" not in text and "…and" not in text and " of 6 events" not in text
    assert "Every escalation: the highest level reached first" in text


def test_the_large_month_prints_on_a_few_pages(view):
    reader = PdfReader(io.BytesIO(report.pdf(view)))
    assert 8 <= len(reader.pages) <= 14
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    more = large.INCIDENTS - limits.INCIDENT_SECTIONS - limits.INCIDENT_ROWS
    assert f"…and {more:,} more incidents: {COMMAND} lists every one." in text
