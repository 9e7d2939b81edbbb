"""The month's alerts counted: per local day by severity and by source, the noisiest
sources, and what the response times need of each alert (when it was first seen, its
severity, whether it was silenced)."""

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from handlers.enums import Severity, Status
from handlers.evidence.month import Month
from handlers.evidence.view import NOISIEST_LIMIT, SOURCE_CHART_LIMIT, DayCounts, NoisySource
from storage.evidence import MonthAlert

OTHER = "other"


_CANONICAL = {s.value: s.value for s in Severity}  # one string object per severity


@dataclass
class Tally:
    """Filled batch by batch as the month's alerts stream in."""

    month: Month
    total: int = 0
    # (index of the local day, severity, source) -> alerts
    counts: Counter[tuple[int, str, str]] = field(default_factory=Counter)
    # short id -> severity; silenced alerts need no answer and are left out
    answerable: dict[str, str] = field(default_factory=dict)
    first_seen: dict[str, datetime] = field(default_factory=dict)

    def add(self, batch: list[MonthAlert]) -> None:
        midnights, counts = self.month.midnights, self.counts
        first_seen, answerable = self.first_seen, self.answerable
        for alert, seen, severity, source, status in batch:
            counts[bisect_right(midnights, seen) - 1, severity, source] += 1
            first_seen[alert] = seen
            if status != Status.SILENCED:
                answerable[alert] = _CANONICAL.get(severity, severity)
        self.total += len(batch)

    @property
    def by_source(self) -> Counter[str]:
        found: Counter[str] = Counter()
        for (_, _, source), n in self.counts.items():
            found[source] += n
        return found

    def _busiest(self, limit: int) -> list[tuple[str, int]]:
        return sorted(self.by_source.items(), key=lambda item: (-item[1], item[0]))[:limit]

    def days(self) -> tuple[DayCounts, ...]:
        """Every day of the month, every severity and the busiest sources with zeros;
        the other sources summed as "other" (when there are any)."""
        shown = [source for source, _ in self._busiest(SOURCE_CHART_LIMIT)]
        rest = len(self.by_source) > len(shown)
        days = self.month.days()
        severities = [{s.value: 0 for s in Severity} for _ in days]
        sources = [dict.fromkeys(shown, 0) | ({OTHER: 0} if rest else {}) for _ in days]
        for (day, severity, source), n in self.counts.items():
            severities[day][severity] = severities[day].get(severity, 0) + n
            key = source if source in sources[day] and source != OTHER else OTHER
            sources[day][key] += n
        return tuple(DayCounts(d, by_severity, by_source)
                     for d, by_severity, by_source in zip(days, severities, sources, strict=True))

    def noisiest(self) -> tuple[NoisySource, ...]:
        return tuple(NoisySource(source, n, n / self.total)
                     for source, n in self._busiest(NOISIEST_LIMIT))
