"""The known month (tests/evidence/month.py) gives exactly its MTTA and MTTR per side in
the HTML and in the PDF's text too, not only in the JSON."""

import io
import re

from pypdf import PdfReader

from cards import report

from .month import EXPECTED_MTTA, EXPECTED_MTTR

# EXPECTED_* in words, as a person reads them: (count, median, p90) per side.
SHOWN_MTTA = {"Overall": ("10 min", "40 min", "5"), "Internal": ("20 min", "40 min", "3"),
              "Partner": ("6 min 30 s", "10 min", "2")}
SHOWN_MTTR = {"Overall": ("1 h 45 min", "4 h", "6"), "Internal": ("1 h 15 min", "1 h 30 min", "2"),
              "Partner": ("2 h 30 min", "4 h", "4")}


def test_the_words_are_the_expected_figures():
    """SHOWN_* restate EXPECTED_*: if the seeded month changes, this says so first."""
    seconds = {"10 min": 600, "40 min": 2400, "20 min": 1200, "6 min 30 s": 390,
               "1 h 45 min": 6300, "4 h": 14400, "1 h 15 min": 4500, "1 h 30 min": 5400,
               "2 h 30 min": 9000}
    for shown, expected in ((SHOWN_MTTA, EXPECTED_MTTA), (SHOWN_MTTR, EXPECTED_MTTR)):
        for side, (median, p90, count) in shown.items():
            key = "all" if side == "Overall" else side.lower()
            assert (int(count), seconds[median], seconds[p90]) == expected[key]


def _lines() -> list[str]:
    """Each side's row of the summary's response-time table, as text reads it."""
    return [" ".join((side, *SHOWN_MTTA[side], *SHOWN_MTTR[side])) for side in SHOWN_MTTA]


def test_the_html_shows_the_known_times_per_side(november):
    page = report.html(november)
    table = page[page.index("Response times, overall and by side"):]
    table = table[:table.index("</table>")]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table))
    for line in _lines():
        assert line in text


def test_the_pdf_shows_the_known_times_per_side(november):
    pdf = PdfReader(io.BytesIO(report.pdf(november)))
    first = re.sub(r"\s+", " ", pdf.pages[0].extract_text())
    for line in _lines():
        assert line in first
