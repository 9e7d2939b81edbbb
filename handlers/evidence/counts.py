"""The month's alerts counted: per local day by severity and by source, the noisiest
sources, and what the response times need of each alert (when it was first seen, its
severity, whether it was silenced)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from handlers.enums import Severity, Status
from handlers.evidence.month import Month
from handlers.evidence.view import NOISIEST_LIMIT, SOURCE_CHART_LIMIT, DayCounts, NoisySource
from storage.evidence import MonthAlert

OTHER = "other"


@dataclass
class Tally:
    """Filled batch by batch as the month's alerts stream in."""

    month: Month
    total: int = 0
    by_day_severity: Counter[tuple[date, str]] = field(default_factory=Counter)
    by_day_source: Counter[tuple[date, str]] = field(default_factory=Counter)
    by_source: Counter[str] = field(default_factory=Counter)
    # short id -> severity; silenced alerts need no answer and are left out
    answerable: dict[str, str] = field(default_factory=dict)
    first_seen: dict[str, datetime] = field(default_factory=dict)

    def add(self, batch: list[MonthAlert]) -> None:
        for alert in batch:
            day = self.month.day_of(alert.first_seen)
            self.by_day_severity[day, alert.severity] += 1
            self.by_day_source[day, alert.source] += 1
            self.by_source[alert.source] += 1
            self.first_seen[alert.short_id] = alert.first_seen
            if alert.status != Status.SILENCED:
                self.answerable[alert.short_id] = Severity(alert.severity).value
        self.total += len(batch)

    def _busiest(self, limit: int) -> list[tuple[str, int]]:
        return sorted(self.by_source.items(), key=lambda item: (-item[1], item[0]))[:limit]

    def days(self) -> tuple[DayCounts, ...]:
        """Every day of the month, every severity and the busiest sources with zeros;
        the other sources summed as "other" (when there are any)."""
        shown = [source for source, _ in self._busiest(SOURCE_CHART_LIMIT)]
        rest = len(self.by_source) > len(shown)
        found = []
        for day in self.month.days():
            sources = {s: self.by_day_source[day, s] for s in shown}
            if rest:
                total = sum(n for (d, _), n in self.by_day_severity.items() if d == day)
                sources[OTHER] = total - sum(sources.values())
            found.append(DayCounts(day, {s.value: self.by_day_severity[day, s.value]
                                         for s in Severity}, sources))
        return tuple(found)

    def noisiest(self) -> tuple[NoisySource, ...]:
        return tuple(NoisySource(source, n, n / self.total)
                     for source, n in self._busiest(NOISIEST_LIMIT))
