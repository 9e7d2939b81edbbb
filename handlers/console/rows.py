"""What one row of the board shows, built from the board's columns.

Owners are named from the configuration, or from the stored copy of someone who has
since left it (as cards name them); a fix is shown only while the alert's status is about
one, as on its card.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.config.schema import TandemConfig
from handlers.enums import Severity, Side, Status
from handlers.people.resolve import person_view
from handlers.views import PersonView
from storage import board as stored
from storage import queries
from storage.unit import Session


@dataclass(frozen=True)
class FixState:
    """An alert's fix as its board row shows it: which, decided how far, and its run."""

    title: str
    status: str  # pending, approved, rejected, failed, done, ...
    needs_internal_approver: bool
    execution: str | None = None  # queued, launching, running, succeeded, failed, expired


@dataclass(frozen=True)
class BoardRow:
    short_id: str
    tenant_id: str
    tenant_name: str
    timezone: str
    severity: Severity
    status: Status
    title: str
    source: str
    first_seen: datetime
    last_seen: datetime
    count: int
    escalation_level: int
    state_version: int  # what a claim button on the row carries, as on the card
    owner: PersonView | None = None
    owner_side: Side | None = None  # the side it is routed to while nobody owns it
    snoozed_until: datetime | None = None
    fix: FixState | None = None
    storm: int | None = None  # the storm it joined, if it came in one

    def age(self, now: datetime) -> timedelta:
        return max(now - self.first_seen, timedelta(0))


async def _owners(session: Session, cfg: TandemConfig,
                  emails: set[str]) -> dict[str, PersonView]:
    found = {e: person_view(p) for e in emails if (p := cfg.person(e))}
    gone = sorted(emails - found.keys())
    found.update({e: person_view(p) for e, p in (await queries.people(session, gone)).items()})
    return found


def _fix(cfg: TandemConfig, row: stored.FixRow | None) -> FixState | None:
    if row is None:
        return None
    entry = cfg.remediation(row.action_id)
    return FixState(entry.title if entry else row.action_id, row.status,
                    row.needs_internal_approver, row.execution)


async def board_rows(session: Session, cfg: TandemConfig, names: dict[str, tuple[str, str]],
                     alerts: Sequence[stored.BoardAlert]) -> list[BoardRow]:
    """Rows for `alerts`; `names` holds each tenant's (name, time zone)."""
    owners = await _owners(session, cfg, {a.owner_email for a in alerts if a.owner_email})
    fixing = [a.id for a in alerts if a.status.startswith("remediation_")]
    fixes = await stored.fixes(session, fixing)
    storms = await stored.storms(session, [a.id for a in alerts])
    return [BoardRow(
        short_id=a.short_id, tenant_id=a.tenant_id, tenant_name=names[a.tenant_id][0],
        timezone=names[a.tenant_id][1], severity=Severity(a.severity), status=Status(a.status),
        title=a.title, source=a.source, first_seen=a.first_seen, last_seen=a.last_seen,
        count=a.count, escalation_level=a.escalation_level, state_version=a.state_version,
        owner=owners.get(a.owner_email) if a.owner_email else None,
        owner_side=Side(a.owner_side) if a.owner_side else None,
        snoozed_until=a.snoozed_until, fix=_fix(cfg, fixes.get(a.id)), storm=storms.get(a.id),
    ) for a in alerts]
