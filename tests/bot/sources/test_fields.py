from datetime import UTC, datetime

import pytest

from bot.sources.fields import Fields, clip, http_links, item, parse_time
from handlers.intake.types import FieldProblem, PayloadError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-14T09:12:31Z", datetime(2024, 5, 14, 9, 12, 31, tzinfo=UTC)),
        ("2024-05-14T09:12:31.816227411Z", datetime(2024, 5, 14, 9, 12, 31, 816227, tzinfo=UTC)),
        ("2024-05-14T11:22:16.6117143Z", datetime(2024, 5, 14, 11, 22, 16, 611714, tzinfo=UTC)),
        ("2024-05-14T11:51:03.157076+02:00", datetime(2024, 5, 14, 9, 51, 3, 157076, tzinfo=UTC)),
        ("2024-05-14T08:42:58.315+0000", datetime(2024, 5, 14, 8, 42, 58, 315000, tzinfo=UTC)),
        ("2024-05-14T08:42:58-05:30", datetime(2024, 5, 14, 14, 12, 58, tzinfo=UTC)),
        ("2024-05-14 08:42:58", datetime(2024, 5, 14, 8, 42, 58, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", None),
    ],
)
def test_parse_time(text, expected):
    result = parse_time(text)
    assert result == expected
    if result is not None:
        assert result.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "2024-13-01T00:00:00Z",
        "2024-05-14T25:00:00Z",
        "2024-05-14T00:00:00+99:00",
        "٢٠٢٤-05-14T00:00:00Z",
    ],
)
def test_parse_time_rejects(text):
    with pytest.raises(ValueError):
        parse_time(text)


def test_fields_collects_every_problem():
    f = Fields()
    body = {"a": 1, "b": "x" * 11, "c": "maybe", "t": "soon", "labels": {"k": {"x": 1}}}
    f.text(body, "a", "top")
    f.text(body, "b", "top", max_len=10)
    f.choice(body, "c", "top", ("yes", "no"))
    f.text(body, "missing", "top", required=True)
    f.time(body, "t", "top")
    f.labels(body, "labels", "top")
    with pytest.raises(PayloadError) as exc:
        f.check()
    assert exc.value.problems == [
        FieldProblem("top.a", "must be a string"),
        FieldProblem("top.b", "must be at most 10 characters"),
        FieldProblem("top.c", "must be one of yes, no"),
        FieldProblem("top.missing", "is required"),
        FieldProblem("top.t", "must be an RFC 3339 timestamp"),
        FieldProblem("top.labels.k", "must be a string"),
    ]


def test_labels_coerce_scalars_and_drop_nulls():
    f = Fields()
    labels = f.labels({"l": {"n": 3, "x": 1.5, "b": True, "s": "v", "z": None}}, "l", "$")
    assert labels == {"n": "3", "x": "1.5", "b": "true", "s": "v"}
    assert f.problems == []


def test_helpers():
    assert item("alerts", 2) == "alerts[2]"
    assert item("$", 3) == "[3]"
    assert clip("abcdef", 4) == "abc…"
    assert clip("abc", 4) == "abc"
    assert http_links(["https://a", None, "", "javascript:alert(1)", "https://a", "http://b"]) == (
        "https://a",
        "http://b",
    )
