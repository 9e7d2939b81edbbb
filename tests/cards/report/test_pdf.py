import io
import logging
import os
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import timedelta

import pytest
from PIL import Image
from pypdf import PdfReader

from cards import report
from cards.report import charts
from cards.report import words as W

from .sample import GENERATED, OVERALL_ROW, SCRIPT
from .sample import report as sample
from .test_html import SECTIONS

BERLIN = W.zone("Europe/Berlin")


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return report.pdf(sample())


def text_of(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_the_pdf_shows_the_figures_and_every_section(pdf):
    text = " ".join(" ".join(text_of(pdf)).split())
    assert OVERALL_ROW in text
    for title in SECTIONS:
        assert title in text
    assert f"ACME-7 · Ransomware note on fs-1 {SCRIPT}" in text
    assert "Time to acknowledge (MTTA)" in text and "25 min 10 s" in text  # a chart's label
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text


def test_the_same_view_gives_the_same_bytes_and_no_warnings(pdf, caplog):
    with caplog.at_level(logging.WARNING):
        assert report.pdf(sample()) == pdf
    # Only the missing optional HarfBuzz-Subset may be mentioned (fontTools subsets then).
    assert [r.getMessage() for r in caplog.records if "HarfBuzz-Subset" not in r.getMessage()] == []
    reader = PdfReader(io.BytesIO(pdf))
    assert "/ID" not in reader.trailer
    assert reader.metadata is not None
    assert reader.metadata["/CreationDate"] == "D:20261201050003Z"
    assert reader.metadata["/ModDate"] == "D:20261201050003Z"


def test_a_later_generation_changes_only_the_time(pdf):
    later = GENERATED + timedelta(days=1, hours=2, minutes=7, seconds=11)
    other = report.pdf(replace(sample(), generated_at=later))
    assert other != pdf
    before, after = PdfReader(io.BytesIO(pdf)).metadata, PdfReader(io.BytesIO(other)).metadata
    assert before is not None and after is not None
    changed = {key for key in {*before, *after} if before.get(key) != after.get(key)}
    assert changed == {"/CreationDate", "/ModDate"}
    assert after["/CreationDate"] == "D:20261202070714Z"
    shown = W.when(GENERATED, BERLIN), W.when(later, BERLIN)
    assert [page.replace(*shown) for page in text_of(pdf)] == text_of(other)


def test_pages_render_to_png_and_none_is_blank(pdf, tmp_path):
    if shutil.which("pdftoppm") is None:
        if os.environ.get("TANDEM_TEST_PDFTOPPM") == "required":
            pytest.fail("pdftoppm is required (TANDEM_TEST_PDFTOPPM) but not installed")
        pytest.skip("pdftoppm not installed (apt-get install poppler-utils); "
                    "TANDEM_TEST_PDFTOPPM=required makes this a failure")
    (tmp_path / "report.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", "report.pdf", "page"], cwd=tmp_path,
                   check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"), key=lambda p: int(re.findall(r"\d+", p.name)[0]))
    assert len(pages) == len(PdfReader(io.BytesIO(pdf)).pages) >= 2
    for path in pages:
        with Image.open(path) as image:
            grey = image.convert("L")
            inked = sum(grey.histogram()[:200])  # pixels clearly darker than paper
            assert inked / (grey.width * grey.height) > 0.005, f"{path.name} is blank"
    with Image.open(pages[0]) as first:  # the severity chart is drawn, not written out
        colours = {tuple(int(c[i:i + 2], 16) for i in (1, 3, 5))
                   for c in charts.SEVERITY_COLOURS.values()}
        counts = first.convert("RGB").getcolors(maxcolors=1 << 24) or []
        assert sum(count for count, colour in counts if colour in colours) > 500
