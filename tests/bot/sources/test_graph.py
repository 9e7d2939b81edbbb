import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.sources import graph
from handlers.enums import Severity
from handlers.intake.types import EventAction, FieldProblem, PayloadError

PAYLOADS = Path(__file__).parent / "payloads"


def load(name: str) -> dict:
    return json.loads((PAYLOADS / name).read_text())


def test_page_with_evidence():
    hidden_file, phish = graph.parse(load("graph_alerts_page.json"))
    assert hidden_file.source == "graph"
    assert hidden_file.dedup_key == "da637551227677560813_-961444813"
    assert hidden_file.title == "Suspicious execution of hidden file"
    assert hidden_file.description.startswith("A hidden file has been launched.")
    assert hidden_file.severity == Severity.HIGH
    assert hidden_file.action == EventAction.TRIGGER
    assert hidden_file.labels == {
        "serviceSource": "microsoftDefenderForEndpoint",
        "detectionSource": "antivirus",
        "category": "DefenseEvasion",
        "user": "akumar@contoso.com,svc-backup@contoso.com",
        "device": "ws-0142.corp.contoso.com",
        "device_id": "73e7e2de709dff64ef64b1d0c30e67fab63279db",
        "ip": "203.0.113.7,198.51.100.23",
    }
    assert hidden_file.links == (
        "https://security.microsoft.com/alerts/da637551227677560813_-961444813"
        "?tid=b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c",
    )
    assert hidden_file.occurred_at == datetime(2024, 5, 14, 12, 19, 27, 721130, tzinfo=UTC)
    assert hidden_file.service is None

    assert phish.action == EventAction.RESOLVE
    assert phish.severity == Severity.INFO
    assert phish.description == ""
    assert phish.labels == {
        "serviceSource": "microsoftDefenderForOffice365",
        "detectionSource": "microsoftDefenderForOffice365",
        "category": "InitialAccess",
    }


def test_parse_alert_matches_the_page():
    page = load("graph_alerts_page.json")
    assert graph.parse_alert(page["value"][0]) == graph.parse(page)[0]


@pytest.mark.parametrize(
    ("value", "severity"),
    [
        ("high", Severity.HIGH),
        ("medium", Severity.MEDIUM),
        ("low", Severity.LOW),
        ("informational", Severity.INFO),
        ("unknown", Severity.MEDIUM),
        ("unknownFutureValue", Severity.MEDIUM),
        (None, Severity.MEDIUM),
    ],
)
def test_severity_mapping(value, severity):
    alert = graph.parse_alert({"id": "a1", "title": "t", "severity": value, "status": "inProgress"})
    assert alert.severity == severity
    assert alert.action == EventAction.TRIGGER


def test_parse_alert_reports_every_bad_field():
    with pytest.raises(PayloadError) as exc:
        graph.parse_alert(
            {
                "title": ["x"],
                "severity": 3,
                "createdDateTime": "2024-02-30T00:00:00Z",
                "evidence": [
                    {"@odata.type": "#microsoft.graph.security.userEvidence", "userAccount": 1},
                    {"@odata.type": "#microsoft.graph.security.ipEvidence", "ipAddress": 7},
                    5,
                    {"@odata.type": "#microsoft.graph.security.mailboxEvidence"},
                ],
            }
        )
    assert exc.value.problems == [
        FieldProblem("id", "is required"),
        FieldProblem("title", "must be a string"),
        FieldProblem("severity", "must be a string"),
        FieldProblem("evidence[0].userAccount", "must be an object"),
        FieldProblem("evidence[1].ipAddress", "must be a string"),
        FieldProblem("evidence[2]", "must be an object"),
        FieldProblem("createdDateTime", "must be an RFC 3339 timestamp"),
    ]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ([], [FieldProblem("$", "must be an object")]),
        ({}, [FieldProblem("value", "is required")]),
        ({"value": "x"}, [FieldProblem("value", "must be a list")]),
        (
            {"value": [{"id": "a", "title": "t"}, {"id": "b"}, None]},
            [
                FieldProblem("value[1].title", "is required"),
                FieldProblem("value[2]", "must be an object"),
            ],
        ),
    ],
)
def test_bad_pages(payload, expected):
    with pytest.raises(PayloadError) as exc:
        graph.parse(payload)
    assert exc.value.problems == expected


def test_empty_page():
    assert graph.parse({"value": []}) == []
