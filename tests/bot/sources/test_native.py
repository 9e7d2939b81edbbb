from datetime import UTC, datetime

import pytest

from bot.sources import native
from handlers.enums import Severity
from handlers.intake.types import AlertIn, EventAction, FieldProblem, PayloadError


def problems(payload: object) -> list[FieldProblem]:
    with pytest.raises(PayloadError) as exc:
        native.parse(payload)
    return exc.value.problems


def test_single_object_with_every_field():
    (alert,) = native.parse(
        {
            "title": "Backup job failed on fs-02",
            "severity": "high",
            "source": "veeam-script",
            "dedup_key": "backup/fs-02",
            "labels": {"site": "hq", "retries": 3},
            "description": "Job 'Nightly FS' ended with error 0x80070005.",
            "links": ["https://veeam.example.com/jobs/17", "https://veeam.example.com/jobs/17"],
            "service": "backup",
            "occurred_at": "2024-05-14T02:00:05+02:00",
            "status": "firing",
        }
    )
    assert alert == AlertIn(
        source="veeam-script",
        title="Backup job failed on fs-02",
        severity=Severity.HIGH,
        action=EventAction.TRIGGER,
        dedup_key="backup/fs-02",
        description="Job 'Nightly FS' ended with error 0x80070005.",
        labels={"site": "hq", "retries": "3"},
        links=("https://veeam.example.com/jobs/17",),
        service="backup",
        occurred_at=datetime(2024, 5, 14, 0, 0, 5, tzinfo=UTC),
    )


def test_list_with_defaults_and_resolve():
    opened, closed = native.parse(
        [
            {"title": "Printer offline", "severity": "low"},
            {
                "title": "Printer offline",
                "severity": "info",
                "status": "resolved",
                "dedup_key": "p",
            },
        ]
    )
    assert (opened.source, opened.action, opened.dedup_key) == ("api", EventAction.TRIGGER, None)
    assert opened.severity == Severity.LOW
    assert (closed.action, closed.dedup_key, closed.severity) == (
        EventAction.RESOLVE,
        "p",
        Severity.INFO,
    )


def test_acknowledged_status_is_an_acknowledge():
    (acked,) = native.parse({"title": "Printer offline", "severity": "low",
                             "status": "acknowledged", "dedup_key": "p"})
    assert (acked.action, acked.dedup_key) == (EventAction.ACKNOWLEDGE, "p")


def test_list_reports_every_bad_item_by_index():
    payload = [
        {"title": "ok", "severity": "medium"},
        {"title": "", "severity": "warning"},
        "not an object",
        {"severity": "critical", "labels": {"a": {"b": 1}}, "links": ["ftp://x", 3]},
        {"title": "t" * 1025, "severity": "low", "status": "resolved"},
        {"title": "x", "severity": "low", "status": "closed", "dedup_key": 5},
        {"title": "x", "severity": "low", "status": "acknowledged", "dedup_key": ""},
    ]
    assert problems(payload) == [
        FieldProblem("[1].title", "must not be empty"),
        FieldProblem("[1].severity", "must be one of critical, high, medium, low, info"),
        FieldProblem("[2]", "must be an object"),
        FieldProblem("[3].title", "is required"),
        FieldProblem("[3].labels.a", "must be a string"),
        FieldProblem("[3].links[0]", "must be an http(s) URL of at most 2048"),
        FieldProblem("[3].links[1]", "must be an http(s) URL of at most 2048"),
        FieldProblem("[4].title", "must be at most 1024 characters"),
        FieldProblem("[4].dedup_key", "is required when status is resolved"),
        FieldProblem("[5].dedup_key", "must be a string"),
        FieldProblem("[5].status", "must be one of firing, acknowledged, resolved"),
        FieldProblem("[6].dedup_key", "is required when status is acknowledged"),
    ]


def test_single_object_paths_have_no_prefix():
    assert problems({"title": 3, "severity": None, "source": ""}) == [
        FieldProblem("title", "must be a string"),
        FieldProblem("severity", "is required"),
    ]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ([], [FieldProblem("$", "must not be empty")]),
        (None, [FieldProblem("$", "must be an object or a list of objects")]),
        ("alert", [FieldProblem("$", "must be an object or a list of objects")]),
        (
            [{"title": "x", "severity": "info"}] * 1001,
            [FieldProblem("$", "must have at most 1000 items")],
        ),
        (
            [1, 2],
            [FieldProblem("[0]", "must be an object"), FieldProblem("[1]", "must be an object")],
        ),
    ],
)
def test_bad_top_level(payload, expected):
    assert problems(payload) == expected


def test_a_thousand_items_are_fine():
    assert len(native.parse([{"title": "x", "severity": "info"}] * 1000)) == 1000
