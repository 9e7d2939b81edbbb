"""Every parser, fed any JSON value, returns a list of AlertIn or raises PayloadError."""

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.sources import alertmanager, azure_monitor, events_v2, grafana, graph, native
from handlers.intake.types import AlertIn, PayloadError

PAYLOADS = Path(__file__).parent / "payloads"

PARSERS = {
    "alertmanager": alertmanager.parse,
    "grafana": grafana.parse,
    "events_v2": events_v2.parse,
    "azure_monitor": azure_monitor.parse,
    "native": native.parse,
    "graph": graph.parse,
    "graph.parse_alert": lambda payload: [graph.parse_alert(payload)],
}

KEYS = st.sampled_from(
    [
        "version", "alerts", "labels", "annotations", "summary", "description", "severity",
        "status", "fingerprint", "startsAt", "generatorURL", "dashboardURL", "alertname",
        "service", "job", "routing_key", "event_action", "dedup_key", "payload", "source",
        "timestamp", "custom_details", "links", "href", "schemaId", "data", "essentials",
        "alertId", "alertRule", "monitorCondition", "alertTargetIDs", "firedDateTime",
        "customProperties", "title", "value", "id", "evidence", "@odata.type", "userAccount",
        "userPrincipalName", "ipAddress", "createdDateTime", "alertWebUrl",
    ]
)  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.sampled_from(
        [
            "4",
            "1",
            "firing",
            "resolved",
            "trigger",
            "acknowledge",
            "resolve",
            "critical",
            "Sev0",
            "Fired",
            "Resolved",
            "azureMonitorCommonAlertSchema",
            "high",
            "info",
            "2024-05-14T09:12:31Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59-23:59",
            "https://x.example",
            "#microsoft.graph.security.userEvidence",
            "x" * 70_000,
        ]
    )  # fmt: skip
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(KEYS | st.text(max_size=8), children, max_size=6)
    ),
    max_leaves=40,
)


def check(parse, payload) -> None:
    try:
        result = parse(payload)
    except PayloadError as exc:
        assert exc.problems
        return
    assert isinstance(result, list)
    assert all(isinstance(a, AlertIn) for a in result)


@pytest.mark.parametrize("name", PARSERS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=JSON)
def test_random_json(name, payload):
    check(PARSERS[name], payload)


def _swapped(value, filler):
    """Yield `value` with each nested value in turn (and finally itself) replaced by `filler`."""
    if isinstance(value, dict):
        for key, child in value.items():
            for replacement in _swapped(child, filler):
                yield {**value, key: replacement}
    elif isinstance(value, list):
        for i, child in enumerate(value):
            for replacement in _swapped(child, filler):
                yield [*value[:i], replacement, *value[i + 1 :]]
    yield filler


SAMPLES = [json.loads(p.read_text()) for p in sorted(PAYLOADS.glob("*.json"))]


@pytest.mark.parametrize("name", PARSERS)
@settings(max_examples=30, deadline=None)
@given(filler=SCALARS | st.lists(SCALARS, max_size=3) | st.dictionaries(KEYS, SCALARS))
def test_real_payloads_with_one_value_swapped(name, filler):
    for sample in SAMPLES:
        for payload in _swapped(sample, filler):
            check(PARSERS[name], payload)
