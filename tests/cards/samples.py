"""Alert views in the states the golden files pin, built with fixed times."""

from dataclasses import replace
from datetime import UTC, datetime

from handlers.enums import Severity, Side, Status
from handlers.views import AlertView, PersonView, RemediationView

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


def resolved_view() -> AlertView:
    return base_view(
        status=Status.RESOLVED, owner=SAM, owner_side=Side.INTERNAL, version=6, count=5
    )


def acknowledged_view() -> AlertView:
    """Acknowledged at its source (Events API v2); still open and unclaimed in Tandem."""
    return base_view(source="events-v2", version=2,
                     source_acknowledged_at=datetime(2026, 11, 22, 14, 20, tzinfo=UTC))


STATES = {
    "acknowledged_at_source": acknowledged_view,
    "open_critical": base_view,
    "claimed_partner": claimed_view,
    "pending_internal_approver": pending_view,
    "resolved": resolved_view,
}
