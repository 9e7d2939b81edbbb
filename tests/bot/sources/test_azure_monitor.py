import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.sources import azure_monitor
from handlers.enums import Severity
from handlers.intake.types import EventAction, FieldProblem, PayloadError

PAYLOADS = Path(__file__).parent / "payloads"
ALERT_ID = (
    "/subscriptions/11111111-2222-3333-4444-555555555555/providers/"
    "Microsoft.AlertsManagement/alerts/b9569717-bc32-442f-add5-83a997729330"
)


def load(name: str) -> dict:
    return json.loads((PAYLOADS / name).read_text())


def problems(payload: object) -> list[FieldProblem]:
    with pytest.raises(PayloadError) as exc:
        azure_monitor.parse(payload)
    return exc.value.problems


def test_fired():
    (alert,) = azure_monitor.parse(load("azure_monitor_fired.json"))
    assert alert.source == "azure-monitor"
    assert alert.title == "WCUS-R2-Gen2"
    assert alert.severity == Severity.LOW
    assert alert.action == EventAction.TRIGGER
    assert alert.dedup_key == ALERT_ID
    assert alert.description == "Percentage CPU above 90% for 5 minutes"
    assert alert.service == "wcus-r2-gen2"
    assert alert.labels == {
        "customer": "contoso",
        "environment": "production",
        "tier": "2",
        "monitoringService": "Platform",
        "signalType": "Metric",
    }
    assert alert.occurred_at == datetime(2024, 5, 14, 11, 22, 16, 611714, tzinfo=UTC)


def test_resolved_has_the_same_key():
    (alert,) = azure_monitor.parse(load("azure_monitor_resolved.json"))
    assert alert.action == EventAction.RESOLVE
    assert alert.dedup_key == ALERT_ID
    assert alert.labels == {"monitoringService": "Platform", "signalType": "Metric"}


@pytest.mark.parametrize(
    ("sev", "severity"),
    [
        ("Sev0", Severity.CRITICAL),
        ("Sev1", Severity.HIGH),
        ("Sev2", Severity.MEDIUM),
        ("Sev3", Severity.LOW),
        ("Sev4", Severity.INFO),
    ],
)
def test_severity_mapping(sev, severity):
    payload = load("azure_monitor_fired.json")
    payload["data"]["essentials"]["severity"] = sev
    assert azure_monitor.parse(payload)[0].severity == severity


def test_every_bad_field_is_reported():
    payload = load("azure_monitor_fired.json")
    payload["schemaId"] = "AzureMonitorMetricAlert"
    essentials = payload["data"]["essentials"]
    del essentials["alertId"]
    essentials["severity"] = "3"
    essentials["monitorCondition"] = "Firing"
    essentials["firedDateTime"] = 1715685736
    essentials["alertTargetIDs"] = [{"id": "x"}]
    payload["data"]["customProperties"] = {"owner": ["a", "b"]}
    assert problems(payload) == [
        FieldProblem("schemaId", "must be one of azureMonitorCommonAlertSchema"),
        FieldProblem("data.essentials.alertId", "is required"),
        FieldProblem("data.essentials.severity", "must be one of Sev0, Sev1, Sev2, Sev3, Sev4"),
        FieldProblem("data.essentials.monitorCondition", "must be one of Fired, Resolved"),
        FieldProblem("data.essentials.firedDateTime", "must be a string"),
        FieldProblem("data.customProperties.owner", "must be a string"),
        FieldProblem("data.essentials.alertTargetIDs[0]", "must be a string"),
    ]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (42, [FieldProblem("$", "must be an object")]),
        (
            {},
            [FieldProblem("schemaId", "is required"), FieldProblem("data", "is required")],
        ),
        (
            {"schemaId": "azureMonitorCommonAlertSchema", "data": {}},
            [FieldProblem("data.essentials", "is required")],
        ),
        (
            {"schemaId": "azureMonitorCommonAlertSchema", "data": {"essentials": "x"}},
            [FieldProblem("data.essentials", "must be an object")],
        ),
    ],
)
def test_bad_shapes(payload, expected):
    assert problems(payload) == expected
