"""Response times credited to the side that held the alert at that moment.

Each alert's audit events are replayed in sequence order: who holds it (a claim, a
reassignment to a person), when nobody does (a release, a hand-over to a side,
escalating to the other side, a reopening), its first claim and its resolutions.

- MTTA: first claim minus first seen, for alerts whose first claim ever falls in the
  month, credited to the side of the one who claimed. Reassigning an unclaimed alert
  to a person counts as its claim, credited to the side of the one who reassigned it.
- MTTR: resolution minus first seen, for alerts resolved in the month (the last
  resolution in the month, when one was reopened and resolved again), credited to
  the side of the person who held the alert then, else to the side of the one who
  resolved it. An alert its source resolved while nobody held it counts in "all"
  only.
- Acknowledgement SLA: an alert of the month (not silenced) breaches when its first
  answer (claim or resolution) came later than the tenant's ack_sla for its
  severity, or has not come and the limit has run out.

Median: statistics.median (the mean of the two middle values for an even count).
p90: nearest rank, the smallest sample with at least 90 % of the samples at or below
it (sorted[ceil(0.9 n) - 1]). Both are None with no samples.
"""

import math
import statistics
from datetime import datetime

from handlers.config.schema import Tenant as TenantConfig
from handlers.enums import Severity, Side
from handlers.evidence.names import Names
from handlers.evidence.view import SlaBreaches, Times
from storage.evidence import Event

CLAIM, REASSIGN, ESCALATE = "claim", "reassign", "escalate"
RESOLUTIONS = frozenset({"resolve", "resolved"})  # a person's, a source's
LETTING_GO = frozenset({"release", "reopen", "reopened"})
OWNER_VERBS = frozenset({CLAIM, REASSIGN, ESCALATE, *RESOLUTIONS, *LETTING_GO})
SIDES = ("all", *(s.value for s in Side))
Samples = dict[str, list[float]]  # seconds per side


class Held:
    """One alert as its events are replayed."""

    __slots__ = ("answered", "claimed", "owner_side", "resolved")

    def __init__(self) -> None:
        self.owner_side: str | None = None  # side of the person holding it; None: nobody
        self.claimed: tuple[datetime, str | None] | None = None  # first claim, by side
        self.answered: datetime | None = None  # first claim or resolution
        self.resolved: tuple[datetime, str | None] | None = None  # last in the month


class Replay:
    def __init__(self, names: Names, starts: datetime, ends: datetime):
        self.names, self.starts, self.ends = names, starts, ends
        self.alerts: dict[str, Held] = {}

    def apply(self, event: Event) -> None:
        _, alert, at, verb, _, side, details = event
        if alert is None:
            return
        held = self.alerts.get(alert)
        if held is None:
            held = self.alerts[alert] = Held()
        if verb == CLAIM:
            self._claimed(held, at, side, side)
        elif verb in RESOLUTIONS:
            if self.starts <= at < self.ends:
                held.resolved = (at, held.owner_side or side)
            held.answered = held.answered or at
        elif verb in LETTING_GO:
            held.owner_side = None
        elif details and isinstance(to := details.get("to"), str) and verb == REASSIGN:
            self._claimed(held, at, side, self.names.side(to))
        elif details and details.get("to_side"):
            held.owner_side = None

    @staticmethod
    def _claimed(held: Held, at: datetime, by: str | None, owner: str | None) -> None:
        """Claimed by someone of side `by`, now held by someone of side `owner`."""
        held.owner_side = owner
        if held.claimed is None:
            held.claimed = (at, by)
        held.answered = held.answered or at

    def samples(self, first_seen: dict[str, datetime]) -> tuple[Samples, Samples]:
        """Seconds to the first claim (MTTA) and to the resolution (MTTR), per side;
        "all" holds every sample."""
        acks: Samples = {side: [] for side in SIDES}
        fixes: Samples = {side: [] for side in SIDES}
        starts, ends = self.starts, self.ends
        for alert, held in self.alerts.items():
            seen = first_seen.get(alert)
            if seen is None:
                continue
            for point, found in ((held.claimed, acks), (held.resolved, fixes)):
                if point is not None and starts <= point[0] < ends:
                    seconds = max(0.0, (point[0] - seen).total_seconds())
                    found["all"].append(seconds)
                    if point[1] in found:
                        found[point[1]].append(seconds)
        return acks, fixes


def p90(samples: list[float]) -> float | None:
    if not samples:
        return None
    ordered = sorted(samples)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def times(samples: Samples) -> tuple[Times, ...]:
    return tuple(Times(side, len(found), statistics.median(found) if found else None,
                       p90(found)) for side, found in samples.items())


def sla_breaches(tenant: TenantConfig, replay: Replay, first_seen: dict[str, datetime],
                 answerable: dict[str, str], read_until: datetime) -> tuple[SlaBreaches, ...]:
    """Per severity with a limit, in Severity's order. `read_until`: the events were read
    up to then (at least to the last limit of the month's alerts, or to now)."""
    limits = {s.value: limit for s in Severity if (limit := tenant.ack_sla.limit(s))}
    alerts = dict.fromkeys(limits, 0)
    breached = dict.fromkeys(limits, 0)
    held = replay.alerts
    for alert, severity in answerable.items():
        limit = limits.get(severity)
        if limit is None:
            continue
        alerts[severity] += 1
        found = held.get(alert)
        answered = found.answered if found else None
        due = first_seen[alert] + limit
        breached[severity] += (answered > due) if answered else (due < read_until)
    return tuple(SlaBreaches(severity, limit.total_seconds(), alerts[severity],
                             breached[severity]) for severity, limit in limits.items())
