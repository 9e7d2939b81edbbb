"""Read-only views of domain state, the only thing renderers and adapters see.

Views carry aware UTC datetimes and the tenant's time zone name; converting for
display is the renderer's job, and no view holds an ORM row or a session.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from handlers.enums import GRAPH_SOURCE, Nis2Stage, Severity, Side, Status


@dataclass(frozen=True)
class PersonView:
    email: str
    name: str
    side: Side

    @property
    def label(self) -> str:
        return f"{self.name} ({self.side})"


@dataclass(frozen=True)
class ExecutionView:
    """The latest run of an approved fix: queued, launching, running, succeeded, failed
    or expired; `detail` holds the platform's words (or why it failed)."""

    id: int
    kind: str
    status: str
    attempts: int
    external_id: str = ""
    detail: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def retrying(self) -> bool:
        """A launch the platform refused for now (429, 5xx, unreachable) waits to go again."""
        return self.status == "queued" and self.attempts > 0


@dataclass(frozen=True)
class RemediationView:
    id: int
    action_id: str
    title: str
    note: str
    proposed_by: PersonView
    needs_internal_approver: bool
    status: str
    proposer_side: Side  # as it was when they proposed: approval rules read this one
    decided_by: PersonView | None = None
    decision_reason: str = ""
    reminded_at: datetime | None = None  # when the approvers were reminded
    expires_at: datetime | None = None  # when an undecided fix lapses
    target: dict[str, str] = field(default_factory=dict)  # bound from the alert when proposed
    described: str = ""  # "Revoke all sign-in sessions of jo@acme.example"
    manual: bool = False  # carried out by a person, who marks it done
    reason_required: bool = False  # approving it needs a reason (a destructive kind)
    execution: ExecutionView | None = None

    # Which fix may be retried or marked done by hand (the rule dispatch() checks).
    @property
    def can_retry(self) -> bool:
        return self.status == "failed"

    @property
    def can_mark_done(self) -> bool:
        """A failed fix, or an approved one a person carries out."""
        return self.status == "failed" or (self.manual and self.status == "approved")


@dataclass(frozen=True)
class SignificantView:
    """An alert flagged as a significant incident under NIS2: when (the clocks start
    there) and why, the reports recorded so far in stage order, and the next one not
    recorded with when it is due (None once all three are recorded)."""

    flagged_at: datetime
    reason: str
    recorded: tuple[tuple[Nis2Stage, datetime], ...] = ()
    next_stage: Nis2Stage | None = None
    next_due: datetime | None = None


@dataclass(frozen=True)
class AlertView:
    id: int
    short_id: str
    tenant_id: str
    tenant_name: str
    timezone: str
    title: str
    severity: Severity
    status: Status
    source: str
    count: int
    first_seen: datetime
    last_seen: datetime
    version: int  # moves on every change the card shows: it drives card refreshes
    description: str = ""
    service: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    links: tuple[str, ...] = ()
    owner: PersonView | None = None
    owner_side: Side | None = None
    escalation_level: int = 0
    snoozed_until: datetime | None = None
    remediation: RemediationView | None = None
    state_version: int = 1  # moves with owner, status or fix: button payloads carry it
    source_acknowledged_at: datetime | None = None  # escalation paused until a re-trigger
    significant: SignificantView | None = None  # flagged as a NIS2 significant incident

    @property
    def from_graph(self) -> bool:
        """Brought in by the Graph security poller: resolving it closes it there, classified."""
        return self.source == GRAPH_SOURCE


@dataclass(frozen=True)
class HistoryEntry:
    seq: int
    at: datetime
    actor: str
    actor_side: str | None
    verb: str
    from_status: str | None
    to_status: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class DutyView:
    """Who is on call in one layer (or overall, `layer` None), until when, and who is next."""

    layer: str | None
    person: PersonView | None
    until: datetime | None = None
    next_person: PersonView | None = None
    next_from: datetime | None = None
    override: bool = False


@dataclass(frozen=True)
class OnCallView:
    tenant_id: str
    tenant_name: str
    timezone: str
    at: datetime
    overall: DutyView
    layers: tuple[DutyView, ...] = ()


@dataclass(frozen=True)
class DigestAlert:
    short_id: str
    title: str
    severity: Severity
    status: Status
    first_seen: datetime
    owner: PersonView | None = None
    over_sla: bool = False


@dataclass(frozen=True)
class DigestApproval:
    short_id: str
    fix: str
    proposed_by: PersonView
    proposed_at: datetime
    needs_internal_approver: bool = False


@dataclass(frozen=True)
class SlaBreaches:
    """Alerts of one severity that went unclaimed past their ack SLA during the period."""

    severity: Severity
    count: int
    limit_seconds: int


@dataclass(frozen=True)
class ResponseTimes:
    """Mean time to acknowledge (claim) and to resolve, for one side or "all"."""

    side: str
    acknowledged: int = 0
    mtta_seconds: float | None = None
    resolved: int = 0
    mttr_seconds: float | None = None


@dataclass(frozen=True)
class SourceNoise:
    source: str
    alerts: int
    events: int


@dataclass(frozen=True)
class DigestView:
    """One tenant's daily digest for the period since..until."""

    tenant_id: str
    tenant_name: str
    timezone: str
    since: datetime
    until: datetime
    new: int
    resolved: int
    open: int
    unclaimed: int
    oldest_unclaimed: tuple[DigestAlert, ...] = ()
    oldest_open: tuple[DigestAlert, ...] = ()
    pending_approvals: tuple[DigestApproval, ...] = ()
    sla_breaches: tuple[SlaBreaches, ...] = ()
    response: tuple[ResponseTimes, ...] = ()
    noisiest: tuple[SourceNoise, ...] = ()


@dataclass(frozen=True)
class StormRow:
    """One alert of a storm card: enough to tell it apart and to claim or open it."""

    short_id: str
    title: str
    severity: Severity
    status: Status
    state_version: int  # the claim button's payload carries it, as on the alert's card
    owner: PersonView | None = None
    opened: bool = False  # it has its own card in the channel now


@dataclass(frozen=True)
class StormView:
    """New alerts of one source grouped into one card in one channel."""

    id: int
    tenant_id: str
    timezone: str
    source: str
    opened_at: datetime
    last_at: datetime
    count: int
    severities: tuple[tuple[Severity, int], ...]  # most severe first
    rows: tuple[StormRow, ...]  # the top ones: live first, then most severe, then newest

    @property
    def more(self) -> int:
        return self.count - len(self.rows)
