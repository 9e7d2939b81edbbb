import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.sources import grafana
from handlers.enums import Severity
from handlers.intake.types import EventAction, FieldProblem, PayloadError

PAYLOADS = Path(__file__).parent / "payloads"


def load(name: str) -> dict:
    return json.loads((PAYLOADS / name).read_text())


def test_grafana_webhook():
    memory, cpu = grafana.parse(load("grafana_firing.json"))
    assert memory.source == "grafana"
    assert memory.title == "This alert was triggered for zone us-1"
    assert memory.description == "The system has high memory usage"
    assert memory.severity == Severity.MEDIUM  # no severity label
    assert memory.action == EventAction.TRIGGER
    assert memory.dedup_key == "c6eadffa33fcdf37"
    assert memory.labels == {
        "alertname": "High memory usage",
        "grafana_folder": "Infrastructure",
        "team": "blue",
        "zone": "us-1",
    }
    assert memory.links == (
        "https://grafana.example.com/alerting/grafana/1afz29v7z/view?orgId=1",
        "https://grafana.example.com/d/8Wd1ykL4k?from=1715676063000&orgId=1&to=1715679663000",
        "https://grafana.example.com/d/8Wd1ykL4k"
        "?from=1715676063000&orgId=1&to=1715679663000&viewPanel=4",
        "https://grafana.example.com/alerting/silence/new?alertmanager=grafana"
        "&matcher=alertname%3DHigh+memory+usage&matcher=team%3Dblue&matcher=zone%3Dus-1&orgId=1",
    )
    assert memory.occurred_at == datetime(2024, 5, 14, 9, 51, 3, 157076, tzinfo=UTC)
    assert memory.service is None

    assert cpu.severity == Severity.CRITICAL
    assert cpu.dedup_key == "bc97ff14869b13e3"
    # empty dashboardURL / panelURL are left out
    assert cpu.links == (
        "https://grafana.example.com/alerting/grafana/d1rdpdv7k/view?orgId=1",
        "https://grafana.example.com/alerting/silence/new?alertmanager=grafana"
        "&matcher=alertname%3DHigh+CPU+usage&matcher=team%3Dblue&matcher=zone%3Deu-1&orgId=1",
    )


def test_grafana_resolved():
    payload = load("grafana_firing.json")
    payload["status"] = "resolved"
    payload["state"] = "ok"
    for alert in payload["alerts"]:
        alert["status"] = "resolved"
        alert["endsAt"] = "2024-05-14T12:30:00+02:00"
    assert [a.action for a in grafana.parse(payload)] == [EventAction.RESOLVE] * 2


def test_grafana_bad_fields():
    payload = load("grafana_firing.json")
    payload["version"] = "4"
    payload["alerts"][0]["panelURL"] = ["https://x"]
    payload["alerts"][1]["labels"] = None
    payload["alerts"][1]["annotations"] = {"summary": ""}
    with pytest.raises(PayloadError) as exc:
        grafana.parse(payload)
    assert exc.value.problems == [
        FieldProblem("version", 'must be "1"'),
        FieldProblem("alerts[0].panelURL", "must be a string"),
        FieldProblem(
            "alerts[1].labels.alertname", "is required when annotations.summary is missing"
        ),
    ]
