import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.sources import alertmanager
from handlers.enums import Severity
from handlers.intake.types import AlertIn, EventAction, FieldProblem, PayloadError

PAYLOADS = Path(__file__).parent / "payloads"


def load(name: str) -> dict:
    return json.loads((PAYLOADS / name).read_text())


def problems(payload: object) -> list[FieldProblem]:
    with pytest.raises(PayloadError) as exc:
        alertmanager.parse(payload)
    return exc.value.problems


def test_firing_group():
    down, cpu, cert = alertmanager.parse(load("alertmanager_firing.json"))
    assert down == AlertIn(
        source="alertmanager",
        title="Instance db-01.prod-eu.example.com:9100 down",
        severity=Severity.CRITICAL,
        action=EventAction.TRIGGER,
        dedup_key="a3f1c2d4e5b60718",
        description=(
            "db-01.prod-eu.example.com:9100 of job node has been down for more than 5 minutes."
        ),
        labels={
            "alertname": "InstanceDown",
            "cluster": "prod-eu",
            "instance": "db-01.prod-eu.example.com:9100",
            "job": "node",
            "severity": "critical",
        },
        links=(
            "http://prometheus.prod-eu.example.com:9090/graph"
            "?g0.expr=up%7Bjob%3D%22node%22%7D+%3D%3D+0&g0.tab=1",
        ),
        service="node",
        occurred_at=datetime(2024, 5, 14, 9, 12, 31, 816227, tzinfo=UTC),
    )
    assert (cpu.title, cpu.severity, cpu.service) == (
        "High CPU load on web-03",
        Severity.MEDIUM,
        "checkout",
    )
    assert cpu.dedup_key == "5c0e9b7a11d2f3e4"
    assert cpu.occurred_at == datetime(2024, 5, 14, 9, 14, 1, 200000, tzinfo=UTC)
    # no summary: the title falls back to the alertname
    assert (cert.title, cert.severity, cert.service) == (
        "CertificateExpiringSoon",
        Severity.INFO,
        "blackbox",
    )


def test_resolved_group_resolves_the_same_fingerprints():
    firing = alertmanager.parse(load("alertmanager_firing.json"))
    resolved = alertmanager.parse(load("alertmanager_resolved.json"))
    assert [a.action for a in resolved] == [EventAction.RESOLVE] * 3
    assert [a.dedup_key for a in resolved] == [a.dedup_key for a in firing]
    assert [a.title for a in resolved] == [a.title for a in firing]


@pytest.mark.parametrize(
    ("value", "severity"),
    [
        ("critical", Severity.CRITICAL),
        ("error", Severity.HIGH),
        ("high", Severity.HIGH),
        ("page", Severity.HIGH),
        ("warning", Severity.MEDIUM),
        ("Warn", Severity.MEDIUM),
        ("info", Severity.INFO),
        ("none", Severity.INFO),
        ("low", Severity.LOW),
        ("disaster", Severity.MEDIUM),
        (None, Severity.MEDIUM),
    ],
)
def test_severity_mapping(value, severity):
    labels = {"alertname": "X"} | ({"severity": value} if value else {})
    (alert,) = alertmanager.parse({"version": "4", "alerts": [{"labels": labels}]})
    assert alert.severity == severity


def test_minimal_alert_defaults():
    (alert,) = alertmanager.parse({"alerts": [{"labels": {"alertname": "X", "port": 8080}}]})
    assert alert.dedup_key is None
    assert alert.action == EventAction.TRIGGER
    assert alert.labels == {"alertname": "X", "port": "8080"}
    assert alert.links == ()
    assert alert.service is None
    assert alert.occurred_at is None


def test_empty_group_is_no_alerts():
    assert alertmanager.parse({"version": "4", "alerts": []}) == []


def test_every_bad_field_is_reported():
    payload = load("alertmanager_firing.json")
    payload["version"] = "3"
    payload["alerts"][0]["labels"]["severity"] = {"level": 1}
    payload["alerts"][1]["annotations"]["summary"] = 42
    payload["alerts"][1]["status"] = "pending"
    payload["alerts"][2] = {"labels": {}, "annotations": {}, "startsAt": "not a time"}
    payload["alerts"].append("junk")
    assert problems(payload) == [
        FieldProblem("version", 'must be "4"'),
        FieldProblem("alerts[0].labels.severity", "must be a string"),
        FieldProblem("alerts[1].annotations.summary", "must be a string"),
        FieldProblem("alerts[1].status", "must be one of firing, resolved"),
        FieldProblem(
            "alerts[2].labels.alertname", "is required when annotations.summary is missing"
        ),
        FieldProblem("alerts[2].startsAt", "must be an RFC 3339 timestamp"),
        FieldProblem("alerts[3]", "must be an object"),
    ]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (None, [FieldProblem("$", "must be an object")]),
        ([1, 2], [FieldProblem("$", "must be an object")]),
        ({}, [FieldProblem("alerts", "is required")]),
        ({"alerts": {"a": 1}}, [FieldProblem("alerts", "must be a list")]),
        (
            {"alerts": [{"labels": "x"}]},
            [
                FieldProblem("alerts[0].labels", "must be an object"),
                FieldProblem(
                    "alerts[0].labels.alertname", "is required when annotations.summary is missing"
                ),
            ],
        ),
        (
            {"alerts": [{"labels": {"alertname": "X"}, "fingerprint": "f" * 256}]},
            [FieldProblem("alerts[0].fingerprint", "must be at most 255 characters")],
        ),
    ],
)
def test_bad_shapes(payload, expected):
    assert problems(payload) == expected


def test_long_summary_is_clipped_not_rejected():
    (alert,) = alertmanager.parse({"alerts": [{"annotations": {"summary": "s" * 5000}}]})
    assert len(alert.title) == 1024
