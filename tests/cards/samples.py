"""Alert views in the states the golden files pin, built with fixed times."""

from dataclasses import replace
from datetime import UTC, datetime

from cards import actions as A
from handlers.enums import Nis2Stage, Severity, Side, Status
from handlers.views import AlertView, ExecutionView, PersonView, RemediationView, SignificantView

DANA = PersonView("dana@partner.example", "Dana Reyes", Side.PARTNER)
SAM = PersonView("sam@acme.example", "Sam Okafor", Side.INTERNAL)
CATALOGUE = [
    ("revoke-sessions", "Revoke all sign-in sessions"),
    ("restart-service", "Restart the service"),
]


def base_view(**changes) -> AlertView:
    view = AlertView(
        id=142,
        short_id="ACME-142",
        tenant_id="acme",
        tenant_name="Acme Ltd",
        timezone="Europe/London",
        title="Disk almost full on db-1",
        severity=Severity.CRITICAL,
        status=Status.OPEN,
        source="prometheus",
        count=3,
        first_seen=datetime(2026, 11, 22, 14, 2, tzinfo=UTC),
        last_seen=datetime(2026, 11, 22, 14, 17, 30, tzinfo=UTC),
        version=1,
        description="Filesystem /var/lib/postgresql is 97% full & growing <fast>.",
        service="postgres",
        labels={
            "alertname": "Disk almost full on db-1",
            "instance": "db-1:9100",
            "severity": "critical",
            "team": "dba",
        },
        links=("https://grafana.acme.example/d/disk?var-host=db-1&from=now-1h",),
        owner_side=Side.PARTNER,
    )
    # Without repeats the state version moves with the version; samples keep them equal.
    changes.setdefault("state_version", changes.get("version", view.version))
    return replace(view, **changes)


def claimed_view() -> AlertView:
    return base_view(status=Status.CLAIMED, owner=DANA, severity=Severity.HIGH, version=2)


def pending_view() -> AlertView:
    rem = RemediationView(
        id=7,
        action_id="restart-service",
        title="Restart the service",
        note="Restart clears the WAL backlog",
        proposed_by=DANA,
        needs_internal_approver=True,
        status="pending",
        proposer_side=Side.PARTNER,
    )
    return base_view(
        status=Status.REMEDIATION_PENDING,
        owner=DANA,
        severity=Severity.HIGH,
        version=3,
        escalation_level=1,
        remediation=rem,
    )


JO = {"user": "jo@acme.example"}
STARTED = datetime(2026, 11, 22, 14, 25, tzinfo=UTC)
FINISHED = datetime(2026, 11, 22, 14, 26, 40, tzinfo=UTC)
MACHINE_ACTION = "7b1c2d3e-4f50-4a1b-9c2d-3e4f5a6b7c8d"


def fix_view(status: str = "approved", execution: ExecutionView | None = None,
             **changes) -> AlertView:
    """A fix bound to jo@acme.example: pending, or approved by Sam and then carried out
    (`execution`, the latest run) or not."""
    rem = RemediationView(
        id=8, action_id="revoke-sessions", title="Revoke all sign-in sessions", note="",
        proposed_by=DANA, needs_internal_approver=True, status=status,
        proposer_side=Side.PARTNER, decided_by=None if status == "pending" else SAM,
        target=dict(JO), described="Revoke all sign-in sessions of jo@acme.example",
        execution=execution)
    alert_status = (Status.REMEDIATION_PENDING if status == "pending"
                    else Status.REMEDIATION_APPROVED)
    return base_view(status=alert_status, owner=DANA, severity=Severity.HIGH, version=5,
                     title="Risky sign-in for jo@acme.example", source="graph",
                     remediation=replace(rem, **changes))


def run(status: str, **changes) -> ExecutionView:
    """The fix's execution in `status`, launched once at STARTED."""
    made = ExecutionView(id=31, kind="graph.revoke_sessions", status=status, attempts=1,
                         started_at=STARTED)
    return replace(made, **changes)


def fix_pending_reason() -> AlertView:
    """A destructive fix waiting for an internal approver, who must give a reason."""
    return fix_view("pending", action_id="disable-user", title="Disable the account",
                    described="Disable the account of jo@acme.example", reason_required=True,
                    note="Impossible travel, then MFA fatigue")


def fix_running() -> AlertView:
    return fix_view("executing", run("running", kind="defender.isolate",
                                     external_id=MACHINE_ACTION, detail="InProgress"),
                    action_id="isolate-device", title="Isolate the device",
                    target={"device": "dev-42"}, described="Isolate the device (dev-42)",
                    decision_reason="Ransomware beacon on dev-42")


def fix_failed() -> AlertView:
    detail = ("Microsoft Graph refused: Insufficient privileges to complete the operation "
              "(403); grant User.RevokeSessions.All")
    return fix_view("failed", run("failed", detail=detail, finished_at=FINISHED))


def fix_executed() -> AlertView:
    return fix_view("executed", run("succeeded", external_id="a1b2c3", finished_at=FINISHED,
                                    kind="awx.launch"),
                    action_id="run-playbook", title="Run the clean-up playbook", target={},
                    described="Run the clean-up playbook")


def fix_manual() -> AlertView:
    return fix_view("approved", action_id="block-ip", title="Block the source IP at the firewall",
                    target={}, described="Block the source IP at the firewall", manual=True)


def resolved_view() -> AlertView:
    return base_view(
        status=Status.RESOLVED, owner=SAM, owner_side=Side.INTERNAL, version=6, count=5
    )


def acknowledged_view() -> AlertView:
    """Acknowledged at its source (Events API v2); still open and unclaimed in Tandem."""
    return base_view(source="events-v2", version=2,
                     source_acknowledged_at=datetime(2026, 11, 22, 14, 20, tzinfo=UTC))


FLAGGED = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
WHY = "Customer <records> & *card data* exposed <!channel>"


def significant_view() -> AlertView:
    """Flagged as a significant incident (NIS2), its early warning recorded: the
    notification is due 72 hours after the flag."""
    flagged = SignificantView(
        flagged_at=FLAGGED, reason=WHY,
        recorded=((Nis2Stage.EARLY_WARNING, datetime(2026, 11, 23, 9, 30, tzinfo=UTC)),),
        next_stage=Nis2Stage.NOTIFICATION, next_due=datetime(2026, 11, 25, 15, 0, tzinfo=UTC))
    return replace(claimed_view(), version=4, significant=flagged)


def significant_done_view() -> AlertView:
    """Resolved, every NIS2 report recorded."""
    recorded = tuple((stage, FLAGGED) for stage in (
        Nis2Stage.EARLY_WARNING, Nis2Stage.NOTIFICATION, Nis2Stage.FINAL_REPORT))
    return replace(resolved_view(), significant=SignificantView(FLAGGED, WHY, recorded))


STATES = {
    "acknowledged_at_source": acknowledged_view,
    "open_critical": base_view,
    "claimed_partner": claimed_view,
    "pending_internal_approver": pending_view,
    "resolved": resolved_view,
    "fix_pending_reason": fix_pending_reason,
    "fix_running": fix_running,
    "fix_failed": fix_failed,
    "fix_executed": fix_executed,
    "fix_manual": fix_manual,
    "significant": significant_view,
    "significant_all_reported": significant_done_view,
}

# The forms the golden files pin: name -> (action, the alert it is opened on).
FORMS = {
    "propose": (A.PROPOSE, pending_view),
    "escalate": (A.ESCALATE, pending_view),
    "resolve": (A.RESOLVE, pending_view),
    "resolve_graph": (A.RESOLVE, fix_failed),
    "snooze": (A.SNOOZE, pending_view),
    "done": (A.DONE, fix_failed),
    "approve": (A.APPROVE, fix_pending_reason),
    "significant": (A.SIGNIFICANT, claimed_view),
}
