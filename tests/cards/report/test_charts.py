"""The charts' margins are measured from their labels (no constrained layout): every
label stays on the chart and clear of its neighbours, however big the numbers and
however long the names."""

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date

import matplotlib
import pytest

from cards.report import charts, margins, svg
from handlers.enums import Severity
from handlers.evidence.view import DayCounts, Times

from .sample import report as sample

SOURCES = [f"a-source-with-a-long-name-{n}" for n in range(6)]


def busy_month():
    days = tuple(DayCounts(date(2026, 11, n), {str(s): 250_000 for s in Severity},
                           {**{name: 200_000 for name in SOURCES}, "other": 50_000})
                 for n in range(1, 31))
    times = (Times("all", 7_500_000, 100.0, 400000.0), Times("internal", 3_750_000, 90.0, 9e5),
             Times("partner", 3_750_000, 120.0, 3e6))
    return replace(sample(), days=days, mtta=times, mttr=times)


def boxes(markup: str) -> tuple[tuple[float, float], list[tuple[str, float, float, float, float]]]:
    """The chart's size, and each text's (text, left, right, top, bottom) in points."""
    root = ET.fromstring(markup)
    _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    found = []
    with matplotlib.rc_context(svg.STYLE):
        for text in root.iter(f"{{{svg.SVG_NS}}}text"):
            if "x" in text.attrib:
                x, y = float(text.attrib["x"]), float(text.attrib["y"])
            else:  # a line of a label of several: transform="translate(x y)"
                x, y = map(float, re.findall(r"translate\(([\d.]+) ([\d.]+)\)",
                                             text.attrib["transform"])[0])
            size = float(text.attrib["font-size"].removesuffix("px"))
            length = margins.width(text.text or "", size)
            anchor = text.attrib.get("text-anchor", "start")
            start = {"start": 0.0, "middle": length / 2, "end": length}[anchor]
            if re.search(r"rotate\(-90 ", text.attrib.get("transform", "")):
                found.append((text.text or "", x - 0.8 * size, x + 0.2 * size,
                              y - length + start, y + start))
            else:
                found.append((text.text or "", x - start, x - start + length,
                              y - 0.8 * size, y + 0.2 * size))
    return (width, height), found


@pytest.mark.parametrize("view", [sample(), busy_month()], ids=["sample", "busy"])
def test_every_label_stays_on_the_chart(view):
    for chart in charts.charts(view):
        (width, height), texts = boxes(chart.svg)
        for text, left, right, top, bottom in texts:
            assert left >= 0 and right <= width, (chart.title, text, left, right)
            assert top >= 0 and bottom <= height, (chart.title, text, top, bottom)


def test_tick_labels_clear_the_axis_labels_and_the_legend():
    severity, source, _ = charts.charts(busy_month())
    for chart in (severity, source):
        _, texts = boxes(chart.svg)
        named = {text: (left, right, top, bottom) for text, left, right, top, bottom in texts}
        alerts, day = named["Alerts"], named["1"]
        y_ticks = [box for text, *box in texts
                   if text.replace(",", "").isdigit() and box[0] < day[0] - 5]
        assert len(y_ticks) > 3 and "1,200,000" in named
        assert all(alerts[1] < left for left, *_ in y_ticks)
        x_label = next(box for text, *box in texts if text.startswith("Day of November"))
        assert day[3] < x_label[2]
        legend = [box for text, *box in texts if text in (*SOURCES, "Critical", "Info")]
        assert legend and all(x_label[3] < top for _, _, top, _ in legend)
