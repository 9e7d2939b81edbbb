"""The small tables that add each section's rows up, over every row of the month: what
the document shows before (or instead of) listing the rows one by one."""

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cards.report import limits
from cards.report import words as W
from cards.report.select import CONTAINED
from handlers.enums import Severity
from handlers.evidence.view import Incident, ReportView

NAMED_SIDES = ("internal", "partner")
CLOCKS = ("early warning", "notification", "final report")
CLOCK_STATES = ("met", "missed", "open")


@dataclass(frozen=True)
class Tally:
    """One row of a summary table: a label and its counts, in the table's column order."""

    label: str
    counts: tuple[int, ...]


@dataclass(frozen=True)
class IncidentTally:
    label: str
    incidents: int
    contained: int
    resolved: int
    median_to_contain: float | None  # seconds, over the contained ones


def fold(rows: Sequence[Tally], limit: int = limits.PEOPLE) -> list[Tally]:
    """The first `limit` rows, and the others added up as one last row."""
    if len(rows) <= limit + 1:
        return list(rows)
    rest = rows[limit:]
    summed = tuple(sum(column) for column in zip(*(r.counts for r in rest), strict=True))
    return [*rows[:limit], Tally(f"Everyone else ({len(rest)} people)", summed)]


def by_count(counts: Counter[str]) -> list[Tally]:
    """A row per name, the most frequent first, then by name."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [Tally(name, (count,)) for name, count in ordered]


def escalation_levels(view: ReportView) -> list[Tally]:
    """Per level: escalations paging one internal person, one partner person, the
    channel or several people, and in all."""
    sides: dict[int, Counter[str]] = {}
    for e in view.escalations:
        side = e.side if e.side in NAMED_SIDES else ""
        sides.setdefault(e.level, Counter())[side] += 1
    return [Tally(f"Level {level}", (*(counted[s] for s in (*NAMED_SIDES, "")),
                                     counted.total()))
            for level, counted in sorted(sides.items())]


def paged(view: ReportView) -> list[Tally]:
    """Escalations per person (or channel) paged."""
    return fold(by_count(Counter(name for e in view.escalations for name in e.notified)))


def fix_outcomes(view: ReportView) -> list[Tally]:
    """Fixes per outcome, in the order a fix goes through them."""
    counted = Counter(r.outcome for r in view.remediations)
    order = [*W.OUTCOMES, *sorted(set(counted) - set(W.OUTCOMES))]
    return [Tally(W.outcome(name), (counted[name],)) for name in order if counted[name]]


def containment(view: ReportView) -> tuple[int, float | None]:
    """How many fixes contained their alert, and the median alert-to-containment time."""
    seconds = [r.containment_seconds for r in view.remediations
               if r.outcome in CONTAINED and r.containment_seconds is not None]
    return len(seconds), _median(seconds)


def quiet_by_person(view: ReportView) -> list[Tally]:
    """Silences and snoozes per person, the busiest first."""
    counts: dict[str, Counter[str]] = {}
    for q in view.quiet:
        counts.setdefault(W.person(q.by, q.side), Counter())[q.kind] += 1
    rows = [Tally(who, (c["silence"], c["snooze"], c.total())) for who, c in counts.items()]
    return fold(sorted(rows, key=lambda r: (-r.counts[-1], r.label)))


def quiet_kinds(view: ReportView) -> tuple[int, int]:
    kinds = Counter(q.kind for q in view.quiet)
    return kinds["silence"], kinds["snooze"]


def incident_counts(view: ReportView) -> list[IncidentTally]:
    """Critical and significant incidents: how many, contained, resolved, and the median
    time from detection to containment."""
    groups = (("Critical", [i for i in view.incidents if i.severity == Severity.CRITICAL]),
              ("Significant (NIS2)", [i for i in view.incidents if i.significant_at]),
              ("All", list(view.incidents)))
    return [_incident_tally(label, group) for label, group in groups]


def _incident_tally(label: str, group: Iterable[Incident]) -> IncidentTally:
    rows = list(group)
    times = [(i.contained - i.detected).total_seconds() for i in rows if i.contained]
    return IncidentTally(label, len(rows), len(times), sum(1 for i in rows if i.resolved),
                         _median(times))


def clocks(view: ReportView) -> list[Tally]:
    """Per NIS2 deadline: how many were met, missed and open."""
    counted = Counter((c.name, c.state) for i in view.incidents for c in i.clocks)
    names = [*CLOCKS, *sorted({name for name, _ in counted} - set(CLOCKS))]
    return [Tally(name, tuple(counted[name, state] for state in CLOCK_STATES))
            for name in names if any(counted[name, state] for state in CLOCK_STATES)]


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None
