"""Where a chart's axes go: margins measured from the labels around them, in points.

matplotlib's constrained layout finds margins by drawing every decoration and measuring
it, twice, which took half the time of making a chart; the report's charts have few,
known labels, so they are measured directly, with matplotlib's own metrics of the
report's font (call these inside the charts' rc_context).
"""

from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import text_to_path

EDGE = 4.0  # paper around everything
TICK = 7.0  # a tick mark and the pad before its label
LINE = 1.25  # a line of text, in font sizes
LABEL_PAD = 4.0  # between tick labels and an axis label
LEGEND_ROW = 12.0  # a row of 7 pt legend entries, spaced as matplotlib spaces them
LEGEND_PAD = 8.0
TOP, RIGHT = 6.0, 6.0  # room for the top tick label and the last day's bar
PANEL_GAP = 12.0
LEGEND_ENTRY = 4.8  # a legend entry's handle, its pad and the space after it, in font sizes


def width(text: str, size: float) -> float:
    """The width of `text`'s widest line, in points."""
    font = FontProperties(size=size)
    return max((text_to_path.get_text_width_height_descent(line, font, ismath=False)[0]
                for line in text.split("\n")), default=0.0)


def place(figure: Figure, left: float, bottom: float, top: float, right: float,
          ) -> tuple[float, float, float, float]:
    """An axes rectangle, in figure fractions, leaving these margins (points)."""
    w, h = (size * 72 for size in figure.get_size_inches())
    return left / w, bottom / h, 1 - (left + right) / w, 1 - (bottom + top) / h


def day_axes(figure: Figure, y_labels: list[str], legend_rows: int,
             ) -> tuple[float, float, float, float]:
    """Bars per day: y tick labels and "Alerts" on the left; day numbers, the x label
    and the legend underneath."""
    left = EDGE + 8 * LINE + LABEL_PAD + max((width(t, 8) for t in y_labels), default=0) + TICK
    bottom = (EDGE + legend_rows * LEGEND_ROW + LEGEND_PAD + 8 * LINE + LABEL_PAD
              + 6.5 * LINE + TICK / 2)
    return place(figure, left, bottom, TOP, RIGHT)


def panel_axes(figure: Figure, y_labels: list[list[str]],
               ) -> list[tuple[float, float, float, float]]:
    """Side-by-side panels, each titled, with its own y tick labels, an x label, ticks
    and a shared one-row legend underneath."""
    w = figure.get_size_inches()[0] * 72
    lefts = [max((width(t, 8) for t in labels), default=0) + TICK for labels in y_labels]
    room = w - EDGE - RIGHT - PANEL_GAP * (len(lefts) - 1) - sum(lefts)
    bottom = EDGE + LEGEND_ROW + LEGEND_PAD + 2 * (8 * LINE) + LABEL_PAD + TICK
    top = EDGE + 8.5 * LINE + 6
    placed, x = [], EDGE
    for left in lefts:
        x += left
        placed.append(place(figure, x, bottom, top, w - x - room / len(lefts)))
        x += room / len(lefts) + PANEL_GAP
    return placed


def legend_columns(figure: Figure, labels: Sequence[str], size: float, wanted: int) -> int:
    """As many columns as wanted, but no more than fit across the figure (1 at least)."""
    room = figure.get_size_inches()[0] * 72 - 2 * EDGE
    entry = max((width(label, size) for label in labels), default=0.0) + LEGEND_ENTRY * size
    return max(1, min(wanted, int(room // entry)))
