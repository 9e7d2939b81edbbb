import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.sources import events_v2
from handlers.enums import Severity
from handlers.intake.types import AlertIn, EventAction, FieldProblem, PayloadError

PAYLOADS = Path(__file__).parent / "payloads"
KEY = "R015ANY8GE4KIPOGZCR2AL7D3XS9WQ0H"


def load(name: str) -> dict:
    return json.loads((PAYLOADS / name).read_text())


def problems(payload: object) -> list[FieldProblem]:
    with pytest.raises(PayloadError) as exc:
        events_v2.parse(payload)
    return exc.value.problems


def test_trigger():
    (alert,) = events_v2.parse(load("events_v2_trigger.json"))
    assert alert == AlertIn(
        source="events-v2",
        title="DISK at 99% on machine prod-datapipe03.example.com",
        severity=Severity.HIGH,
        action=EventAction.TRIGGER,
        dedup_key="srv01/mysql",
        labels={
            "source": "prod-datapipe03.example.com",
            "component": "mysql",
            "group": "prod-datapipe",
            "class": "disk",
            "detail.free space": "1%",
            "detail.ping time": "1500ms",
            "detail.load avg": "0.75",
            "detail.mounted": "true",
            "detail.volumes": '{"/":"42%","/var/lib/mysql":"99%"}',
        },
        links=(
            "https://monitoring.example.com/hosts/prod-datapipe03",
            "https://runbooks.example.com/mysql/disk-full",
        ),
        service="mysql",
        occurred_at=datetime(2024, 5, 14, 8, 42, 58, 315000, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("events_v2_acknowledge.json", EventAction.ACKNOWLEDGE),
        ("events_v2_resolve.json", EventAction.RESOLVE),
    ],
)
def test_acknowledge_and_resolve(name, action):
    (alert,) = events_v2.parse(load(name))
    assert (alert.action, alert.dedup_key, alert.source) == (action, "srv01/mysql", "events-v2")
    assert (alert.title, alert.severity) == ("", Severity.INFO)


@pytest.mark.parametrize(
    ("value", "severity"),
    [
        ("critical", Severity.CRITICAL),
        ("error", Severity.HIGH),
        ("warning", Severity.MEDIUM),
        ("info", Severity.INFO),
    ],
)
def test_severity_mapping(value, severity):
    payload = {"summary": "s", "source": "host", "severity": value}
    body = {"routing_key": KEY, "event_action": "trigger", "payload": payload}
    (alert,) = events_v2.parse(body)
    assert alert.severity == severity
    assert len(alert.dedup_key) == 32  # no key given: a fresh one, so a new alert
    assert alert.labels == {"source": "host"}


def test_custom_details_that_are_not_an_object():
    body = load("events_v2_trigger.json")
    body["payload"]["custom_details"] = "disk full, see runbook"
    (alert,) = events_v2.parse(body)
    assert alert.labels["detail"] == "disk full, see runbook"
    assert not any(k.startswith("detail.") for k in alert.labels)


def test_routing_key():
    assert events_v2.routing_key(load("events_v2_trigger.json")) == KEY
    assert events_v2.routing_key({"routing_key": 5}) is None
    assert events_v2.routing_key({"routing_key": ""}) is None
    assert events_v2.routing_key([KEY]) is None
    assert events_v2.routing_key(None) is None


def test_every_bad_trigger_field_is_reported():
    body = {
        "routing_key": "",
        "event_action": "trigger",
        "dedup_key": "k" * 256,
        "payload": {
            "summary": "s" * 1025,
            "severity": "fatal",
            "timestamp": "last tuesday",
            "component": 7,
        },
        "links": [{"text": "no href"}, "https://x"],
    }
    assert problems(body) == [
        FieldProblem("routing_key", "must not be empty"),
        FieldProblem("dedup_key", "must be at most 255 characters"),
        FieldProblem("payload.summary", "must be at most 1024 characters"),
        FieldProblem("payload.source", "is required"),
        FieldProblem("payload.component", "must be a string"),
        FieldProblem("payload.severity", "must be one of critical, error, warning, info"),
        FieldProblem("payload.timestamp", "must be an RFC 3339 timestamp"),
        FieldProblem("links[0].href", "is required"),
        FieldProblem("links[1]", "must be an object"),
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("trigger", [FieldProblem("$", "must be an object")]),
        (
            {},
            [
                FieldProblem("routing_key", "is required"),
                FieldProblem("event_action", "is required"),
            ],
        ),
        (
            {"routing_key": KEY, "event_action": "snooze"},
            [FieldProblem("event_action", "must be one of trigger, acknowledge, resolve")],
        ),
        (
            {"routing_key": KEY, "event_action": "trigger"},
            [FieldProblem("payload", "is required")],
        ),
        (
            {"routing_key": KEY, "event_action": "trigger", "payload": []},
            [FieldProblem("payload", "must be an object")],
        ),
        (
            {"routing_key": KEY, "event_action": "resolve"},
            [FieldProblem("dedup_key", "is required")],
        ),
        (
            {"routing_key": "x" * 65, "event_action": "acknowledge", "dedup_key": ""},
            [
                FieldProblem("routing_key", "must be at most 64 characters"),
                FieldProblem("dedup_key", "must not be empty"),
            ],
        ),
    ],
)
def test_bad_bodies(body, expected):
    assert problems(body) == expected


def test_absurdly_nested_custom_details_are_a_problem_not_a_crash():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    body = load("events_v2_trigger.json")
    body["payload"]["custom_details"] = {"trace": deep, "ok": "yes"}
    assert problems(body) == [
        FieldProblem("payload.custom_details.trace", "is nested too deeply"),
    ]


def test_long_details_are_clipped():
    body = load("events_v2_trigger.json")
    body["payload"]["custom_details"] = {"log": "line\n" * 1000}
    (alert,) = events_v2.parse(body)
    assert len(alert.labels["detail.log"]) == 1024
    assert alert.labels["detail.log"].endswith("…")
