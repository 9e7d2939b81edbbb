"""Builds the read-only views that renderers and adapters receive."""

from handlers.config.schema import TandemConfig
from handlers.config.schema import Tenant as TenantConfig
from handlers.enums import Severity, Side, Status
from handlers.escalation.reminders import expires_at
from handlers.people.resolve import view_of
from handlers.remediation.binding import described
from handlers.remediation.states import is_manual
from handlers.significant import significant_view
from handlers.views import AlertView, ExecutionView, HistoryEntry, RemediationView
from storage import executions, queries
from storage.execution_models import Execution
from storage.models import Alert, AuditEvent, Remediation, Tenant
from storage.unit import Session


async def _remediation(
    session: Session, cfg: TandemConfig, row: Remediation | None, ran: Execution | None,
    tenant_id: str,
) -> RemediationView | None:
    if row is None:
        return None
    proposer = await view_of(session, cfg, row.proposed_by)
    if proposer is None:  # remediation.proposed_by references a stored person
        raise LookupError(f"the proposer of fix {row.id} is not stored")
    decided = await view_of(session, cfg, row.decided_by) if row.decided_by else None
    entry = cfg.remediation(row.action_id)
    title = entry.title if entry else row.action_id
    return RemediationView(
        id=row.id,
        action_id=row.action_id,
        title=title,
        note=row.note,
        proposed_by=proposer,
        needs_internal_approver=row.needs_internal_approver,
        status=row.status,
        proposer_side=Side(row.proposer_side),
        decided_by=decided,
        decision_reason=row.decision_reason,
        reminded_at=row.reminded_at,
        expires_at=expires_at(cfg.tenant(tenant_id), row),
        target=dict(row.target),
        described=described(title, dict(row.target)),
        manual=is_manual(cfg, row.action_id),
        reason_required=bool(entry and entry.needs_reason),
        execution=execution_view(ran) if ran else None,
    )


def execution_view(row: Execution) -> ExecutionView:
    return ExecutionView(id=row.id, kind=row.kind, status=row.status, attempts=row.attempts,
                         external_id=row.external_id, detail=row.detail,
                         started_at=row.started_at, finished_at=row.finished_at)


async def tenant_of(
    session: Session, cfg: TandemConfig, tenant_id: str
) -> TenantConfig | Tenant:
    """The tenant's name and time zone: from config, or from its stored row for a
    tenant that has since left the config (its alerts stay readable)."""
    found = cfg.tenant(tenant_id) or await queries.tenant(session, tenant_id)
    if found is None:  # every alert's tenant_id references a stored tenant row
        raise LookupError(f"tenant {tenant_id!r} is neither configured nor stored")
    return found


async def alert_view(session: Session, cfg: TandemConfig, alert: Alert) -> AlertView:
    tenant = await tenant_of(session, cfg, alert.tenant_id)
    owner = await view_of(session, cfg, alert.owner_email) if alert.owner_email else None
    remediation = None
    if alert.status.startswith("remediation_"):
        fix, ran = await executions.latest_fix(session, alert.id)
        remediation = await _remediation(session, cfg, fix, ran, alert.tenant_id)
    return AlertView(
        id=alert.id,
        short_id=alert.short_id,
        tenant_id=alert.tenant_id,
        tenant_name=tenant.name,
        timezone=tenant.timezone,
        title=alert.title,
        severity=Severity(alert.severity),
        status=Status(alert.status),
        source=alert.source,
        count=alert.count,
        first_seen=alert.first_seen,
        last_seen=alert.last_seen,
        version=alert.version,
        state_version=alert.state_version,
        description=alert.description,
        service=alert.service,
        labels=dict(alert.labels),
        links=tuple(alert.links),
        owner=owner,
        owner_side=Side(alert.owner_side) if alert.owner_side else None,
        escalation_level=alert.escalation_level,
        snoozed_until=alert.snoozed_until,
        remediation=remediation,
        source_acknowledged_at=alert.source_acknowledged_at,
        significant=significant_view(alert.significant_at, alert.significant_stages,
                                     tenant.timezone),
    )


def history_entry(event: AuditEvent) -> HistoryEntry:
    return HistoryEntry(
        seq=event.seq,
        at=event.at,
        actor=event.actor,
        actor_side=event.actor_side,
        verb=event.verb,
        from_status=event.from_status,
        to_status=event.to_status,
        details=dict(event.details),
    )
