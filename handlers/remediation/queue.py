"""Executions queued in the same transaction as the decision that asks for them.

An approval queues its fix's execution with the approval, so a crash right after
the commit loses nothing and one right before it leaves nothing half-decided. The
execution carries the target bound when the fix was proposed and the names of the
environment variables of its endpoint, never their values: secrets are read from the
environment when the call is made.
"""

from datetime import datetime, timedelta

from handlers.config.fixes import Fix, Kind
from handlers.config.schema import TandemConfig
from handlers.enums import GRAPH_SOURCE, Classification
from handlers.remediation.binding import described, extra_vars
from handlers.timing.parse import parse_duration
from storage.execution_models import Execution
from storage.models import Alert, Remediation
from storage.unit import UnitOfWork

CLOSE_AT_SOURCE = "graph.close_alert"  # not a catalogue kind: resolving a Graph alert asks it
CLASSIFICATIONS = tuple(c.value for c in Classification)


def _options(fix: Fix, alert: Alert, row: Remediation, approver: str) -> dict[str, object]:
    return {
        "fix": fix.id, "title": fix.title, "url_env": fix.url_env, "secret_env": fix.secret_env,
        "token_env": fix.token_env, "job_template": fix.job_template,
        "extra_vars": extra_vars(fix, alert), "isolation": fix.isolation,
        "scan_type": fix.scan_type, "approved_by": approver, "proposed_by": row.proposed_by,
        "alert": alert.short_id,
        "comment": f"{alert.short_id}: {described(fix.title, row.target)}, approved by {approver}",
    }


async def queue_fix(uow: UnitOfWork, cfg: TandemConfig, alert: Alert, row: Remediation,
                    approver: str, now: datetime) -> bool:
    """Queue the approved fix's execution; False for a fix carried out by hand."""
    fix = cfg.remediation(row.action_id)
    if fix is None or fix.action is Kind.MANUAL:
        return False
    tenant = cfg.known_tenant(alert.tenant_id)
    valid: timedelta = parse_duration(tenant.remediation.approval_valid)
    session = await uow.session()
    session.add(Execution(
        tenant_id=alert.tenant_id, alert_id=alert.id, remediation_id=row.id,
        kind=fix.action.value, target=dict(row.target), options=_options(fix, alert, row, approver),
        due_at=now, expires_at=now + valid, created_at=now))
    uow.executions_queued()
    return True


async def close_at_source(uow: UnitOfWork, cfg: TandemConfig, alert: Alert, resolver: str,
                          classification: str, now: datetime) -> bool:
    """Resolving an alert the Graph poller brought in closes it in Microsoft Graph too,
    through the tenant's app registration; False when it came from elsewhere."""
    tenant = cfg.tenant(alert.tenant_id)
    if alert.source != GRAPH_SOURCE or tenant is None or not any(
            i.kind == "graph" for i in tenant.integrations):
        return False
    session = await uow.session()
    session.add(Execution(
        tenant_id=alert.tenant_id, alert_id=alert.id, kind=CLOSE_AT_SOURCE,
        target={"alert": alert.fingerprint},
        options={"title": "Close the alert in Microsoft Graph", "classification": classification,
                 "alert": alert.short_id,
                 "comment": f"Resolved in Tandem ({alert.short_id}) by {resolver}"},
        due_at=now, created_at=now))
    uow.executions_queued()
    return True
