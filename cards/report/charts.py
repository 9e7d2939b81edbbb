"""The report's three charts: alerts per day by severity and by source, response times.

matplotlib is imported here, and this module only when a report is rendered (the bot
starts without it). Figures are made directly, never through pyplot: no GUI backend,
no global figure list.
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from cards.report import margins, svg
from cards.report import words as W
from handlers.enums import Severity
from handlers.evidence.view import ReportView, Times

# Fixed colours, each at least 3:1 against white (WCAG 1.4.11), critical the darkest red.
SEVERITY_COLOURS: dict[str, str] = {
    Severity.CRITICAL: "#A50F15",
    Severity.HIGH: "#C4450C",
    Severity.MEDIUM: "#8A6A00",
    Severity.LOW: "#2166AC",
    Severity.INFO: "#5F6B73",
}
SOURCE_COLOURS = ("#0072B2", "#B8440F", "#00795A", "#A23B8C", "#5B4DA8", "#7A5C12")
OTHER = "other"
OTHER_COLOUR = "#767676"
MEDIAN_COLOUR, P90_COLOUR = "#3A74C4", "#14365C"
SOURCE_LABEL_LIMIT = 28
LEGEND_COLUMNS = 4
LEGEND_FONT_SIZE = 7
Y_FORMAT = "{x:,.0f}"
UNITS = ((86400.0, "days"), (3600.0, "hours"), (60.0, "minutes"), (1.0, "seconds"))


@dataclass(frozen=True)
class Chart:
    title: str
    svg: str


Series = tuple[str, list[int], str]
T = TypeVar("T")
_ONE_AT_A_TIME = threading.Lock()


def charts(view: ReportView) -> list[Chart]:
    """The three charts; one report at a time, as matplotlib's settings are global."""
    with _ONE_AT_A_TIME, matplotlib.rc_context(svg.STYLE):
        return [by_severity(view), by_source(view), response_times(view)]


def by_severity(view: ReportView) -> Chart:
    names = list(view.days[0].by_severity) if view.days else [str(s) for s in Severity]
    series = [(name.capitalize(), [d.by_severity.get(name, 0) for d in view.days],
               SEVERITY_COLOURS.get(name, OTHER_COLOUR)) for name in names]
    title = f"Alerts per day by severity, {W.month_name(view.month)}"
    return _day_chart(view, "severity", title, series)


def by_source(view: ReportView) -> Chart:
    totals: dict[str, int] = {}
    for day in view.days:
        for name, count in day.by_source.items():
            totals[name] = totals.get(name, 0) + count
    names = sorted((n for n in totals if n != OTHER), key=lambda n: (-totals[n], n))
    series = [(W.truncate(name, SOURCE_LABEL_LIMIT), [d.by_source.get(name, 0) for d in view.days],
               SOURCE_COLOURS[i % len(SOURCE_COLOURS)]) for i, name in enumerate(names)]
    if OTHER in totals:
        series.append((OTHER, [d.by_source.get(OTHER, 0) for d in view.days], OTHER_COLOUR))
    title = f"Alerts per day by source, {W.month_name(view.month)}"
    return _day_chart(view, "source", title, series)


def _day_chart(view: ReportView, name: str, title: str, series: list[Series]) -> Chart:
    days = [d.day for d in view.days]
    positions = list(range(len(days)))
    totals = [sum(values[i] for _, values, _ in series) for i in positions]
    top = max(totals, default=0) * 1.05 or 1  # bars added as paths don't autoscale
    figure = Figure(figsize=(7.0, 2.5))
    rows = -(-len(series) // _columns(figure, [label for label, _, _ in series]))
    axes = figure.add_axes(margins.day_axes(figure, _y_labels(top) if any(totals) else [], rows))
    bottom = [0] * len(days)
    for _, values, colour in series:
        _bars(axes, [(i, bottom[i], values[i]) for i in positions if values[i]], colour)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_ylim(0, top)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_formatter(StrMethodFormatter(Y_FORMAT))
    axes.tick_params(axis="x", bottom=False)
    axes.set_xticks(positions, [str(d.day) for d in days], fontsize=6.5)
    axes.set_xlim(-0.6, len(days) - 0.4)
    axes.set_ylabel("Alerts")
    axes.set_xlabel(f"Day of {W.month_name(view.month)} ({W.zone(view.timezone).key})")
    if series:  # read left to right, as stacked from the bottom
        _legend(figure, [(label, colour) for label, _, colour in series])
    if not any(totals):
        axes.set_yticks([])
        _no_data(axes, "No alerts this month")
    description = _day_description(days, series, totals)
    return Chart(title, svg.inline(figure, name, title, description))


def _y_labels(top: float) -> list[str]:
    """The labels the y axis will show from 0 to `top`, to leave room for them."""
    return [Y_FORMAT.format(x=t) for t in MaxNLocator(integer=True).tick_values(0, top)
            if t <= top]


def _bars(axes: Axes, bars: list[tuple[int, int, int]], colour: str) -> None:
    """A series' bars (position, bottom, height) as one path: one SVG element, where
    `axes.bar` makes one per bar, each clipped, for matplotlib and WeasyPrint to handle."""
    if not bars:
        return
    corners = [[(x - 0.4, y), (x + 0.4, y), (x + 0.4, y + h), (x - 0.4, y + h)]
               for x, y, h in bars]
    path = Path.make_compound_path_from_polys(np.array(corners, dtype=float))
    axes.add_patch(PathPatch(path, facecolor=colour, edgecolor="white", linewidth=0.4,
                             clip_on=False, in_layout=False))


def _day_description(days: Sequence[date], series: list[Series], totals: list[int]) -> str:
    if not any(totals):
        return "Stacked bars, one per day: no alerts this month."
    parts = ", ".join(f"{label} {sum(values)}" for label, values, _ in series)
    busiest = max(range(len(days)), key=lambda i: (totals[i], -i))
    day = days[busiest]
    return (f"Stacked bars, one per day. Alerts in the month: {parts}. Busiest day: "
            f"{day.day} {W.MONTHS[day.month - 1]}, {totals[busiest]} alerts.")


def response_times(view: ReportView) -> Chart:
    figure = Figure(figsize=(7.0, 2.4))
    panels = [figure.add_axes(rect) for rect in margins.panel_axes(
        figure, [_side_labels(view.mtta), _side_labels(view.mttr)])]
    described = []
    for axes, label, times in ((panels[0], "Time to acknowledge (MTTA)", view.mtta),
                               (panels[1], "Time to resolve (MTTR)", view.mttr)):
        _times_panel(axes, label, times)
        described.append(f"{label}: " + "; ".join(
            f"{W.side(t.side)} median {W.duration(t.median_seconds)}, 90th percentile "
            f"{W.duration(t.p90_seconds)}" for t in times))
    _legend(figure, [("Median", MEDIAN_COLOUR), ("90th percentile", P90_COLOUR)])
    title = "Response times: median and 90th percentile, overall and by side"
    description = "Bars per side. " + ". ".join(described) + "."
    return Chart(title, svg.inline(figure, "times", title, description))


def _times_panel(axes: Axes, label: str, times: Sequence[Times]) -> None:
    """Horizontal bars, one pair per side (first side on top), labelled at their ends."""
    known = [s for t in times for s in (t.median_seconds, t.p90_seconds) if s is not None]
    scale, unit = next(((s, u) for s, u in UNITS if max(known, default=0.0) >= 2 * s),
                       UNITS[-1])
    positions = [-float(i) for i in range(len(times))]
    for offset, colour, values in (
            (0.2, MEDIAN_COLOUR, [t.median_seconds for t in times]),
            (-0.2, P90_COLOUR, [t.p90_seconds for t in times])):
        container = axes.barh([p + offset for p in positions],
                              [(v or 0.0) / scale for v in values], 0.38, color=colour)
        axes.bar_label(container, [W.duration(v) for v in values], padding=2, fontsize=6.5)
    axes.set_yticks(positions, _side_labels(times))
    axes.set_title(label, fontsize=8.5)
    axes.set_xlabel(unit)
    axes.margins(x=0.25)
    if not known:
        axes.set_xticks([])
        _no_data(axes, "Nothing measured this month")


def _side_labels(times: Sequence[Times]) -> list[str]:
    return [f"{W.side(t.side)}\n{W.number(t.count)} alerts" for t in times]


def _columns(figure: Figure, labels: Sequence[str]) -> int:
    """A legend's columns: all entries in one row when there are few, and never more
    than fit across the figure."""
    wanted = len(labels) if len(labels) <= LEGEND_COLUMNS + 1 else LEGEND_COLUMNS
    return margins.legend_columns(figure, labels, LEGEND_FONT_SIZE, wanted)


def _legend(figure: Figure, entries: list[tuple[str, str]]) -> None:
    """A legend under the chart, in rows read left to right."""
    columns = _columns(figure, [label for label, _ in entries])
    handles = [Patch(facecolor=colour) for _, colour in entries]
    labels = [label for label, _ in entries]
    figure.legend(_row_major(handles, columns), _row_major(labels, columns), frameon=False,
                  fontsize=LEGEND_FONT_SIZE, loc="lower center", ncols=columns)


def _row_major(items: Sequence[T], columns: int) -> list[T]:
    """`items` in the order that makes matplotlib's column-by-column legend read by rows."""
    rows = -(-len(items) // columns)
    return [items[r * columns + c] for c in range(columns) for r in range(rows)
            if r * columns + c < len(items)]


def _no_data(axes: Axes, text: str) -> None:
    axes.text(0.5, 0.5, text, transform=axes.transAxes, ha="center", va="center",
              color="#444444")
