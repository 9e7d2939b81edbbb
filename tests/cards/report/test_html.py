import os
import re
from dataclasses import replace
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cards import report
from cards.report import words as W

from .sample import GENERATED, OVERALL_ROW, SCRIPT, empty_report
from .sample import report as sample

GOLDEN = Path(__file__).parent / "golden" / "report.html"
UPDATE = os.environ.get("TANDEM_UPDATE_GOLDEN") == "1"
BERLIN = W.zone("Europe/Berlin")
SECTIONS = [
    "Summary", "Alerts and response times in charts",
    "Acknowledgement-SLA breaches by severity", "Escalations and who was paged",
    "Remediations", "Silences and snoozes", "On-call hours per side", "Noisiest sources",
    "Incidents", "Audit checkpoints",
]


class Page(HTMLParser):
    """The elements, ids, headings and text a browser would see."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.ids: list[str] = []
        self.headings: dict[str, list[str]] = {"h1": [], "h2": [], "h3": []}
        self.text: list[str] = []
        self._open: str | None = None
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.ids += [value for name, value in attrs if name == "id"]
        if tag in self.headings:
            self._open = tag
            self.headings[tag].append("")

    def handle_endtag(self, tag):
        if tag == self._open:
            self._open = None

    def handle_data(self, data):
        self.text.append(data)
        if self._open:
            self.headings[self._open][-1] += data


@pytest.fixture(scope="module")
def html() -> str:
    return report.html(sample())


def test_matches_the_golden_file(html):
    if UPDATE:
        GOLDEN.write_text(html, encoding="utf-8")
    assert GOLDEN.exists(), "no golden report.html; run with TANDEM_UPDATE_GOLDEN=1"
    expected = GOLDEN.read_text(encoding="utf-8")
    assert html.splitlines() == expected.splitlines()
    assert html == expected


def test_sections_come_in_the_issues_order_with_one_per_incident(html):
    page = Page(html)
    assert page.headings["h1"] == ["Incident-response report"]
    assert page.headings["h2"] == SECTIONS
    assert page.headings["h3"] == [  # the significant one first
        'ACME-31 · Mailbox rule forwarding to "outside" & co',
        f"ACME-7 · Ransomware note on fs-1 {SCRIPT}",
    ]


def test_markup_from_sources_and_people_is_text_not_elements(html):
    page = Page(html)
    assert "script" not in page.tags
    assert "b" not in page.tags  # a silence's reason says <b>window</b>
    text = "".join(page.text)
    for shown in (SCRIPT, 'Acme & "Sons" <Ltd>', 'Dana "DR" Reyes & co (partner)',
                  f"Maintenance <b>window</b> & 'planned' {SCRIPT}", 'service="db" & env=<prod>'):
        assert shown in text
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html  # Jinja2's escaping
    assert "edr &lt;script&gt;alert(\"x\")&lt;/scr…" in html  # a chart's legend


def test_figures_times_and_definitions(html):
    text = " ".join(" ".join(Page(html).text).split())
    assert OVERALL_ROW in text
    assert "Partner 6 min 40 s 30 min 83 1 h 30 min 1 d 02 h 85" in text
    assert "credited to the side that held the alert at that moment" in text
    assert "All times are in Europe/Berlin." in text
    assert "Detected (first seen) 2026-11-03 14:02:07 CET +0 s" in text
    assert "Contained (first fix applied) 2026-11-03 14:40:00 CET +37 min 53 s" in text
    assert "Notification 72 h after becoming aware 2026-11-21 10:00:00 CET not yet Missed" in text
    assert "Early warning 24 h after becoming aware 2026-11-19 10:00:00 CET " \
           "2026-11-19 08:30:00 CET Met" in text
    assert "Final report one month after the notification" in text
    assert "First 1041 2026-11-01 06:00:01 CET SHA-256 hash " + "9f" * 32 in text
    assert "Internal in total 360.5 h" in text
    assert "Critical 5 min 15 2 13.3 %" in text


def test_charts_are_inline_svg_titled_described_and_with_unique_ids(html):
    page = Page(html)
    assert page.tags.count("svg") == 3
    assert len(page.ids) == len(set(page.ids))
    for name in ("severity", "source", "times"):
        assert f'aria-labelledby="{name}-title {name}-desc"' in html
        assert f'<title id="{name}-title">' in html
    assert "Alerts in the month: Critical 15, High 45" in html
    assert "Time to acknowledge (MTTA): Overall median 4 min 12 s" in html
    references = re.findall(r'(?:href="#|url\(#)([^")]+)', html)
    assert references and set(references) <= set(page.ids)
    assert "Matplotlib v" not in html and "<dc:date" not in html


def test_an_empty_month_says_so():
    text = " ".join(" ".join(Page(report.html(empty_report())).text).split())
    for sentence in ("No escalations this month.", "No remediations this month.",
                     "No silences or snoozes this month.", "Nobody was on call this month.",
                     "No critical or significant incidents this month.",
                     "No audit checkpoint was signed this month.",
                     "No acknowledgement SLA applied this month.", "No alerts this month"):
        assert sentence in text
    assert "Overall – – 0 – – 0" in text


def test_one_checkpoint_is_shown_once():
    view = sample()
    text = " ".join(Page(report.html(replace(view, first_checkpoint=view.last_checkpoint))).text)
    assert "First and last" in text and "1041" not in text


def test_only_the_generation_time_follows_generated_at(html):
    later = GENERATED + timedelta(days=1, hours=2, minutes=7, seconds=11)
    other = report.html(replace(sample(), generated_at=later))
    assert html != other
    assert html.replace(W.when(GENERATED, BERLIN), W.when(later, BERLIN)).replace(
        W.w3c(GENERATED), W.w3c(later)) == other
    assert report.html(sample()) == html
