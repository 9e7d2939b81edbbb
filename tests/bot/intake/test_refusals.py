"""Bad requests get a 4xx naming the problem; nothing from a refused request is stored."""

import asyncio
import json

import pytest
from sqlalchemy import func, select

from bot.app import RUNTIME
from bot.config import Settings
from bot.runtime import Runtime
from storage.db import connect
from storage.models import Alert, AuditEvent
from tests.bot.intake.conftest import TOKENS, payload, start

NATIVE = TOKENS["TANDEM_TEST_ACME_TOKEN"]
ROUTING = TOKENS["TANDEM_TEST_ACME_ROUTING"]


async def stored(db) -> tuple[int, int]:
    async with db.unit() as uow:
        s = await uow.session()
        alerts = (await s.execute(select(func.count()).select_from(Alert))).scalar_one()
        events = (await s.execute(select(func.count()).select_from(AuditEvent))).scalar_one()
    return alerts, events


async def test_missing_unknown_and_misused_tokens(client, db):
    one = {"title": "t", "severity": "low"}
    assert (await client.post("/v1/alerts", one))[:2] == (
        401,
        {"error": "missing or unknown bearer token"},
    )
    assert (await client.post("/v1/alerts", one, token="guess"))[0] == 401
    status, body, _ = await client.post("/v1/integrations/alertmanager", one, token=NATIVE)
    assert status == 403
    assert body["error"] == "this bearer token belongs to the native integration, not alertmanager"
    status, body, _ = await client.post(
        "/v2/enqueue", {"routing_key": "nope", "event_action": "trigger"}
    )
    assert status == 401 and body["status"] == "error" and body["errors"]
    assert await stored(db) == (0, 0)


async def test_malformed_json_and_schema_errors(client, db):
    status, body, _ = await client.post("/v1/alerts", raw=b'{"title": ', token=NATIVE)
    assert status == 400 and body["error"].startswith("body is not valid JSON")
    bad = [{"title": "ok", "severity": "low"}, {"severity": "loud", "labels": {"a": {"b": 1}}}]
    status, body, _ = await client.post("/v1/alerts", bad, token=NATIVE)
    assert status == 400
    paths = {p["path"] for p in body["problems"]}
    assert {"[1].title", "[1].severity", "[1].labels.a"} <= paths
    assert await stored(db) == (0, 0)  # the good first item was not stored either


async def test_events_v2_invalid_event_shape(client, db):
    event = {"routing_key": ROUTING, "event_action": "trigger", "payload": {"summary": "x"}}
    status, body, _ = await client.post("/v2/enqueue", event)
    assert status == 400 and body["status"] == "invalid event"
    assert any("payload.severity" in e for e in body["errors"])
    assert await stored(db) == (0, 0)


async def test_body_over_512_kb_is_413(client, db):
    huge = {"title": "x" * 600_000, "severity": "low"}
    status, body, _ = await client.post("/v1/alerts", huge, token=NATIVE)
    assert status == 413 and "512 KB" in body["error"]
    assert await stored(db) == (0, 0)


async def _chunked(client, body: bytes, pieces: int) -> tuple[int, dict]:
    """POST `body` without a Content-Length, in pieces that arrive apart."""

    async def stream():
        step = -(-len(body) // pieces)
        for at in range(0, len(body), step):
            yield body[at:at + step]
            await asyncio.sleep(0.02)

    headers = {"Authorization": f"Bearer {NATIVE}", "Content-Type": "application/json"}
    async with client.session.post(client.base + "/v1/alerts", data=stream(),
                                   headers=headers) as response:
        return response.status, await response.json()


async def test_a_body_that_arrives_in_pieces_is_read_whole(client, db):
    alerts = [{"title": f"Disk full on db-{i}", "severity": "low", "dedup_key": f"k{i}",
               "description": "d" * 300} for i in range(1000)]
    status, body = await _chunked(client, json.dumps(alerts).encode(), pieces=8)
    assert status == 202, body
    assert len(body["alerts"]) == 1000
    assert (await stored(db))[0] == 1000


async def test_a_body_in_pieces_over_512_kb_is_413(client, db):
    huge = json.dumps({"title": "x" * 600_000, "severity": "low"}).encode()
    status, body = await _chunked(client, huge, pieces=8)
    assert status == 413 and "512 KB" in body["error"]
    assert await stored(db) == (0, 0)


async def test_one_tenant_token_never_touches_another(client, db):
    trigger = payload("events_v2_trigger") | {"routing_key": ROUTING}
    await client.post("/v2/enqueue", trigger)
    globex = {
        "routing_key": TOKENS["TANDEM_TEST_GLOBEX_ROUTING"],
        "event_action": "resolve",
        "dedup_key": trigger["dedup_key"],
    }
    status, body, _ = await client.post("/v2/enqueue", globex)
    assert status == 202
    async with db.unit() as uow:
        s = await uow.session()
        alert = (await s.execute(select(Alert))).scalar_one()
    assert alert.tenant_id == "acme" and alert.status == "open"


async def test_same_key_at_the_same_moment_makes_one_alert(client, db):
    one = {"title": "Disk full", "severity": "high", "dedup_key": "disk-db1"}
    answers = await asyncio.gather(
        *[client.post("/v1/alerts", one, token=NATIVE) for _ in range(20)]
    )
    assert {a[0] for a in answers} == {202}
    effects = sorted(a[1]["alerts"][0]["effect"] for a in answers)
    assert effects == ["created"] + ["deduplicated"] * 19
    async with db.unit() as uow:
        s = await uow.session()
        alert = (await s.execute(select(Alert))).scalar_one()
    assert alert.count == 20


@pytest.mark.parametrize(
    "url", ["sqlite:////nonexistent-dir/tandem.db", "postgresql://postgres@127.0.0.1:1/none"]
)
async def test_database_unavailable_is_503_with_retry_after(url, cfg, tokens):
    broken = connect(url)
    server, session, api = await start(Runtime(Settings(), cfg, broken))
    try:
        status, body, headers = await api.post(
            "/v1/alerts", {"title": "t", "severity": "low"}, token=NATIVE
        )
        assert status == 503 and headers["Retry-After"] == "5"
        assert body == {"error": "database unavailable; retry later"}
        assert (await api.get("/readyz"))[0] == 503
    finally:
        await session.close()
        await server.close()
        await broken.dispose()


async def test_two_replicas_racing_on_one_key_make_one_alert(db_url, db, cfg, tokens):
    """Two processes' worth of servers, each with its own engine, on one database."""
    replicas = [await start(Runtime(Settings(), cfg, connect(db_url))) for _ in range(2)]
    one = {"title": "Disk full", "severity": "high", "dedup_key": "disk-db2"}
    try:
        answers = await asyncio.gather(
            *[replicas[i % 2][2].post("/v1/alerts", one, token=NATIVE) for i in range(20)]
        )
    finally:
        for server, session, _ in replicas:
            await session.close()
            await server.close()
            await server.app[RUNTIME].db.dispose()
    assert {a[0] for a in answers} == {202}
    async with db.unit() as uow:
        s = await uow.session()
        alert = (await s.execute(select(Alert))).scalar_one()
    assert alert.count == 20
