"""cards/report stays a renderer: small modules, no program, storage or clock, its heavy
libraries loaded only when a report is rendered, and charts readable by everyone."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from cards.report import charts

PACKAGE = Path(charts.__file__).parent
ROOT = PACKAGE.parent.parent
FORBIDDEN = {"slack_sdk", "slack_bolt", "botbuilder", "aiohttp", "msgraph", "storage", "bot"}


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_modules_are_small_and_pure(path):
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 220
    for node in ast.walk(ast.parse(source)):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"
            if name.startswith("handlers"):
                assert name in {"handlers.evidence.view", "handlers.enums",
                                "handlers.timing.zones"}, name
        if isinstance(node, ast.Attribute):
            assert node.attr not in {"now", "utcnow", "today"}, f"{path.name} reads the clock"


def test_the_package_exposes_html_and_pdf_and_loads_nothing_heavy():
    code = ("import sys, cards.report as r; print(r.__all__); "
            "print(sorted(m for m in ('matplotlib', 'weasyprint', 'jinja2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True, env={"PYTHONPATH": str(ROOT)}).stdout
    assert out.splitlines() == ["['html', 'pdf']", "[]"]


def contrast(colour: str) -> float:
    """WCAG contrast ratio of `colour` against white."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_chart_colours_stand_out_from_the_page():
    colours = [*charts.SEVERITY_COLOURS.values(), *charts.SOURCE_COLOURS, charts.OTHER_COLOUR,
               charts.MEDIAN_COLOUR, charts.P90_COLOUR]
    assert len(set(colours)) == len(colours)
    for colour in colours:
        assert contrast(colour) >= 3.0, colour
