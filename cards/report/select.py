"""Which rows the document lists, and in what order, when a month has more than it can
show (cards.report.limits). Pure functions of the view: the same view, the same rows.

The orders put first what a reader of the month most needs to see:
- escalations: the highest level reached first, then the most recent;
- fixes: those that did not contain their alert (failed, expired, rejected, withdrawn,
  still pending or running) first, most recent first; then the slowest to contain;
- silences before snoozes, those left until lifted first, then the longest;
- incidents: significant ones (NIS2) first, then critical ones, each the longest to
  contain first (an incident neither contained nor resolved counts up to when the
  report was made).
"""

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from cards.report import limits
from handlers.evidence.view import (
    Escalation,
    Incident,
    Quiet,
    Remediation,
    ReportView,
    TimelineEntry,
)

T = TypeVar("T")
CONTAINED = frozenset({"executed", "done by hand"})


@dataclass(frozen=True)
class Shown(Generic[T]):
    """The rows listed, and how many of the section's rows were left out."""

    rows: tuple[T, ...]
    more: int


@dataclass(frozen=True)
class Incidents:
    full: tuple[Incident, ...]  # a section each
    rows: tuple[Incident, ...]  # a row of key times each
    more: int


@dataclass(frozen=True)
class Timeline:
    head: tuple[TimelineEntry, ...]
    skipped: int  # events between head and tail, not shown
    tail: tuple[TimelineEntry, ...]


def first(rows: Sequence[T], key: Callable[[T], Any], limit: int) -> Shown[T]:
    """The `limit` rows that come first by `key` (ties in the view's order), in that order."""
    chosen = heapq.nsmallest(limit, rows, key=key)
    return Shown(tuple(chosen), len(rows) - len(chosen))


def _ts(at: datetime) -> float:
    return at.timestamp()


def escalation_order(e: Escalation) -> tuple[int, float]:
    return -e.level, -_ts(e.at)


def remediation_order(r: Remediation) -> tuple[bool, float]:
    if r.outcome in CONTAINED:
        return True, -(r.containment_seconds or 0.0)
    return False, -_ts(r.proposed_at)


def quiet_order(q: Quiet) -> tuple[bool, bool, float, float]:
    length = 0.0 if q.ends is None else _ts(q.ends) - _ts(q.starts)
    return q.kind != "silence", q.ends is not None, -length, -_ts(q.starts)


def to_contain(i: Incident, made: datetime) -> float:
    """Seconds from detection to containment (else resolution, else `made`)."""
    return _ts(i.contained or i.resolved or made) - _ts(i.detected)


def escalations(view: ReportView) -> Shown[Escalation]:
    return first(view.escalations, escalation_order, limits.ROWS)


def remediations(view: ReportView) -> Shown[Remediation]:
    return first(view.remediations, remediation_order, limits.ROWS)


def quiet(view: ReportView) -> Shown[Quiet]:
    return first(view.quiet, quiet_order, limits.ROWS)


def incidents(view: ReportView) -> Incidents:
    def order(i: Incident) -> tuple[bool, float]:
        return i.significant_at is None, -to_contain(i, view.generated_at)

    shown = first(view.incidents, order, limits.INCIDENT_SECTIONS + limits.INCIDENT_ROWS)
    full = limits.INCIDENT_SECTIONS
    return Incidents(shown.rows[:full], shown.rows[full:], shown.more)


def timeline(entries: Sequence[TimelineEntry]) -> Timeline:
    """All of a short timeline; a longer one's first and last events (never skipping
    just one: the row saying so would take its place)."""
    head, tail = limits.TIMELINE_HEAD, limits.TIMELINE_TAIL
    if len(entries) <= head + tail + 1:
        return Timeline(tuple(entries), 0, ())
    return Timeline(tuple(entries[:head]), len(entries) - head - tail, tuple(entries[-tail:]))

