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
RESOLUTIONS = ("resolve", "resolved")  # a person's, a source's
LETTING_GO = ("release", "reopen", "reopened")
OWNER_VERBS = (CLAIM, REASSIGN, ESCALATE, *RESOLUTIONS, *LETTING_GO)
SIDES = ("all", *(s.value for s in Side))


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
        if event.alert is None:
            return
        held = self.alerts.get(event.alert)
        if held is None:
            held = self.alerts[event.alert] = Held()
        details = event.details or {}
        if event.verb == CLAIM or (event.verb == REASSIGN and details.get("to")):
            self._claimed(held, event, details)
        elif event.verb in RESOLUTIONS:
            side = held.owner_side or event.actor_side
            if self.starts <= event.at < self.ends:
                held.resolved = (event.at, side)
            held.answered = held.answered or event.at
        elif event.verb in LETTING_GO or details.get("to_side"):
            held.owner_side = None

    def _claimed(self, held: Held, event: Event, details: dict[str, object]) -> None:
        to = details.get("to")
        held.owner_side = self.names.side(to) if isinstance(to, str) else event.actor_side
        if held.claimed is None:
            held.claimed = (event.at, event.actor_side)
        held.answered = held.answered or event.at

    def _in_month(self, at: datetime) -> bool:
        return self.starts <= at < self.ends

    def samples(self, first_seen: dict[str, datetime],
                which: str) -> dict[str, list[float]]:
        """Seconds per side ("all" holds every sample): which = "claimed" (MTTA) or
        "resolved" (MTTR)."""
        found: dict[str, list[float]] = {side: [] for side in SIDES}
        for alert, held in self.alerts.items():
            point = getattr(held, which)
            seen = first_seen.get(alert)
            if point is None or seen is None or not self._in_month(point[0]):
                continue
            seconds = max(0.0, (point[0] - seen).total_seconds())
            found["all"].append(seconds)
            if point[1] in found:
                found[point[1]].append(seconds)
        return found


def p90(samples: list[float]) -> float | None:
    if not samples:
        return None
    ordered = sorted(samples)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def times(samples: dict[str, list[float]]) -> tuple[Times, ...]:
    return tuple(Times(side, len(found), statistics.median(found) if found else None,
                       p90(found)) for side, found in samples.items())


def sla_breaches(tenant: TenantConfig, replay: Replay, first_seen: dict[str, datetime],
                 answerable: dict[str, str], read_until: datetime) -> tuple[SlaBreaches, ...]:
    """Per severity with a limit, in Severity's order. `read_until`: the events were read
    up to then (at least to the last limit of the month's alerts, or to now)."""
    found = []
    for severity in Severity:
        limit = tenant.ack_sla.limit(severity)
        if limit is None:
            continue
        alerts = breached = 0
        for alert, level in answerable.items():
            if level != severity:
                continue
            alerts += 1
            held = replay.alerts.get(alert)
            answered = held.answered if held else None
            due = first_seen[alert] + limit
            breached += (answered > due) if answered else (due < read_until)
        found.append(SlaBreaches(severity.value, limit.total_seconds(), alerts, breached))
    return tuple(found)

