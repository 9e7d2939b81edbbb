"""Random JSON and random bytes at every endpoint: only 2xx or 4xx, nothing stored on a 4xx."""

import asyncio
import json
import shutil
import urllib.error
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from storage.models import Alert, AuditEvent
from storage.outbox_models import Outbox
from tests.bot.intake.conftest import TOKENS
from tests.bot.intake.live_server import live_server

ENDPOINTS = {
    "/v1/alerts": TOKENS["TANDEM_TEST_ACME_TOKEN"],
    "/v1/integrations/alertmanager": TOKENS["TANDEM_TEST_ACME_PROM"],
    "/v1/integrations/grafana": TOKENS["TANDEM_TEST_ACME_GRAFANA"],
    "/v1/integrations/azure-monitor": TOKENS["TANDEM_TEST_ACME_AZURE"],
    "/v2/enqueue": None,
}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=6)
    ),
    max_leaves=30,
)
# Shapes close to the real formats reach deeper into the parsers than pure noise.
near_miss = st.fixed_dictionaries(
    {},
    optional={
        "routing_key": st.just(TOKENS["TANDEM_TEST_ACME_ROUTING"]) | st.text(max_size=5),
        "event_action": st.sampled_from(["trigger", "resolve", "acknowledge", "x"]),
        "dedup_key": json_values,
        "payload": json_values,
        "alerts": st.lists(json_values, max_size=3),
        "version": st.sampled_from(["4", "1", 4]),
        "title": json_values,
        "severity": json_values,
        "schemaId": st.just("azureMonitorCommonAlertSchema"),
        "data": json_values,
    },
)


def post(base: str, path: str, body: bytes) -> int:
    headers = {"Content-Type": "application/json"}
    if ENDPOINTS[path]:
        headers["Authorization"] = f"Bearer {ENDPOINTS[path]}"
    request = urllib.request.Request(base + path, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template_module, cfg_module):
    target = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    shutil.copy(sqlite_template_module, target)
    with pytest.MonkeyPatch.context() as env:
        for name, value in TOKENS.items():
            env.setenv(name, value)
        with live_server(f"sqlite:///{target}", cfg_module) as running:
            valid = json.dumps({"title": "fuzz baseline", "severity": "low"}).encode()
            assert post(running[0], "/v1/alerts", valid) == 202  # the tokens are live
            yield running


def rows(server) -> tuple[int, int, int]:
    _, db, loop = server

    async def count():
        async with db.unit() as uow:
            s = await uow.session()
            return tuple(
                [
                    (await s.execute(select(func.count()).select_from(m))).scalar_one()
                    for m in (Alert, AuditEvent, Outbox)
                ]
            )

    return asyncio.run_coroutine_threadsafe(count(), loop).result(10)


def check(server, path: str, body: bytes) -> None:
    before = rows(server)
    status = post(server[0], path, body)
    assert 200 <= status < 300 or 400 <= status < 500, (path, body[:200], status)
    if status >= 400:
        assert rows(server) == before, "a refused request stored something"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.sampled_from(sorted(ENDPOINTS)), value=json_values | near_miss)
def test_random_json(server, path, value):
    check(server, path, json.dumps(value).encode())


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.sampled_from(sorted(ENDPOINTS)), body=st.binary(max_size=300))
def test_random_bytes(server, path, body):
    check(server, path, body)
