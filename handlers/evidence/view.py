"""The monthly incident-response report as data: what `handlers.evidence.build` computes
from the alerts and the audit log, and what the JSON, the HTML and the PDF all show.

Times are timezone-aware UTC datetimes; durations are seconds (float). Every string
came from a source or a person and is escaped by whatever renders it. Tuples keep
the order they are shown in.
"""

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Times:
    """Median and 90th percentile of one response time, for one side or "all".

    MTTA: first claim minus first seen, credited to the side of the one who claimed.
    MTTR: resolution minus first seen, credited to the side that held the alert when it
    was resolved (its owner then, else the side of the one who resolved it). An alert
    handed over between sides is thus credited to each side for its own part, not to
    its final owner.
    """

    side: str  # "all", "internal" or "partner"
    count: int
    median_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True)
class DayCounts:
    day: date  # the tenant's local day
    by_severity: dict[str, int]  # every Severity value, in Severity's order, zeros included
    by_source: dict[str, int]  # the busiest sources (SOURCE_CHART_LIMIT), the rest as "other"


@dataclass(frozen=True)
class SlaBreaches:
    severity: str
    limit_seconds: float
    alerts: int  # alerts of this severity first seen in the month
    breached: int  # claimed later than the limit, or never claimed within it


@dataclass(frozen=True)
class Escalation:
    alert: str  # short id
    at: datetime
    level: int
    notified: tuple[str, ...]  # display names (or "the channel")
    side: str | None  # the side of who was paged, when one person was


@dataclass(frozen=True)
class Remediation:
    alert: str
    fix: str  # the catalogue title, with its bound target ("Revoke all sign-in sessions of jo@…")
    proposed_by: str
    proposed_side: str
    proposed_at: datetime
    decided_by: str | None  # approver or rejecter
    decided_at: datetime | None
    outcome: str  # pending, rejected, withdrawn, expired, executing, executed, failed, done by hand
    finished_at: datetime | None
    containment_seconds: float | None  # alert first seen -> executed (or done by hand)


@dataclass(frozen=True)
class Quiet:
    """A silence or a snooze, with who and why."""

    kind: str  # "silence" or "snooze"
    by: str
    side: str | None
    reason: str
    starts: datetime
    ends: datetime | None
    scope: str  # the alert's short id for a snooze, the silence's matchers for a silence


@dataclass(frozen=True)
class OnCallHours:
    side: str
    person: str  # display name
    hours: float


@dataclass(frozen=True)
class NoisySource:
    source: str
    alerts: int
    share: float  # of the month's alerts, 0..1


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str  # display name, a source, or "tandem"
    side: str | None
    what: str  # one sentence: "claimed ACME-7", "approved Revoke all sign-in sessions of …"


@dataclass(frozen=True)
class Clock:
    """One NIS2 Article 23 deadline of a significant incident."""

    name: str  # "early warning" (24 h), "notification" (72 h), "final report" (one month)
    due: datetime
    done_at: datetime | None  # when it was recorded as submitted
    state: str  # "met", "missed" or "open" (not yet due and not yet done)


@dataclass(frozen=True)
class Incident:
    """A critical alert, or one flagged significant, with its timeline."""

    alert: str
    title: str
    severity: str
    source: str
    detected: datetime  # first seen
    assessed: datetime | None  # first claimed
    contained: datetime | None  # first fix executed or done by hand
    resolved: datetime | None
    significant_at: datetime | None  # when it was flagged significant (NIS2 awareness)
    clocks: tuple[Clock, ...]  # empty unless significant
    timeline: tuple[TimelineEntry, ...]


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: datetime
    signature: str  # base64 Ed25519 signature, as posted in chat


@dataclass(frozen=True)
class ReportView:
    tenant_id: str
    tenant_name: str
    month: str  # "2026-11"
    timezone: str
    starts: datetime  # first instant of the month in the tenant's time zone
    ends: datetime  # first instant of the next month
    generated_at: datetime
    alerts: int
    resolved: int
    days: tuple[DayCounts, ...]  # every day of the month
    mtta: tuple[Times, ...]  # all, internal, partner
    mttr: tuple[Times, ...]
    sla_breaches: tuple[SlaBreaches, ...]
    escalations: tuple[Escalation, ...]
    remediations: tuple[Remediation, ...]
    quiet: tuple[Quiet, ...]
    on_call: tuple[OnCallHours, ...]
    noisiest: tuple[NoisySource, ...]
    incidents: tuple[Incident, ...]  # critical or significant, by detection time
    first_checkpoint: Checkpoint | None
    last_checkpoint: Checkpoint | None


SOURCE_CHART_LIMIT = 6
NOISIEST_LIMIT = 10
