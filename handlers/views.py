"""Read-only views of domain state, the only thing renderers and adapters see.

Views carry aware UTC datetimes and the tenant's time zone name; converting for
display is the renderer's job, and no view holds an ORM row or a session.
"""

from dataclasses import dataclass, field
from datetime import datetime

from handlers.enums import Severity, Side, Status


@dataclass(frozen=True)
class PersonView:
    email: str
    name: str
    side: Side

    @property
    def label(self) -> str:
        return f"{self.name} ({self.side})"


@dataclass(frozen=True)
class RemediationView:
    id: int
    action_id: str
    title: str
    note: str
    proposed_by: PersonView
    needs_internal_approver: bool
    status: str
    decided_by: PersonView | None = None
    decision_reason: str = ""


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
    version: int
    description: str = ""
    service: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    links: tuple[str, ...] = ()
    owner: PersonView | None = None
    owner_side: Side | None = None
    escalation_level: int = 0
    snoozed_until: datetime | None = None
    remediation: RemediationView | None = None


@dataclass(frozen=True)
class HistoryEntry:
    seq: int
    at: datetime
    actor: str
    actor_side: str | None
    verb: str
    from_status: str | None
    to_status: str | None
    details: dict
