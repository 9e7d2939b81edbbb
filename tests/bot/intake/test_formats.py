"""Each source format end to end over HTTP: stored, deduplicated, resolved, fanned out."""

import copy

from sqlalchemy import func, select

from storage.models import Alert, AuditEvent
from storage.outbox_models import Outbox
from tests.bot.intake.conftest import TOKENS, payload

PROM = TOKENS["TANDEM_TEST_ACME_PROM"]
ROUTING = TOKENS["TANDEM_TEST_ACME_ROUTING"]


async def alerts(db) -> list[Alert]:
    async with db.unit() as uow:
        s = await uow.session()
        return list((await s.execute(select(Alert).order_by(Alert.id))).scalars())


async def count(db, model, *where) -> int:
    async with db.unit() as uow:
        s = await uow.session()
        return (await s.execute(select(func.count()).select_from(model).where(*where))).scalar_one()


async def test_alertmanager_group_fires_repeats_and_resolves(client, db):
    firing = payload("alertmanager_firing")
    status, body, _ = await client.post("/v1/integrations/alertmanager", firing, token=PROM)
    assert status == 202
    assert [a["effect"] for a in body["alerts"]] == ["created"] * 3
    assert [a["id"] for a in body["alerts"]] == ["ACME-1", "ACME-2", "ACME-3"]
    stored = await alerts(db)
    assert {a.fingerprint for a in stored} == {a["fingerprint"] for a in firing["alerts"]}
    assert stored[0].title == firing["alerts"][0]["annotations"]["summary"]
    assert await count(db, Outbox) == 3 * 2  # three cards, Slack and Teams

    status, body, _ = await client.post("/v1/integrations/alertmanager", firing, token=PROM)
    assert [a["effect"] for a in body["alerts"]] == ["deduplicated"] * 3
    assert [a.count for a in await alerts(db)] == [2, 2, 2]
    assert await count(db, Outbox) == 3 * 2  # the pending card rows already cover the repeat

    status, body, _ = await client.post(
        "/v1/integrations/alertmanager", payload("alertmanager_resolved"), token=PROM
    )
    assert status == 202 and {a["effect"] for a in body["alerts"]} == {"resolved"}
    assert {a.status for a in await alerts(db)} == {"resolved"}
    assert await count(db, AuditEvent, AuditEvent.verb == "resolved") == 3


async def test_events_v2_trigger_acknowledge_resolve(client, db):
    trigger = payload("events_v2_trigger") | {"routing_key": ROUTING}
    status, body, _ = await client.post("/v2/enqueue", trigger)
    assert status == 202
    assert body == {
        "status": "success",
        "message": "Event processed",
        "dedup_key": trigger["dedup_key"],
    }
    for name in ("events_v2_acknowledge", "events_v2_resolve"):
        event = payload(name) | {"routing_key": ROUTING, "dedup_key": trigger["dedup_key"]}
        status, body, _ = await client.post("/v2/enqueue", event)
        assert status == 202 and body["dedup_key"] == trigger["dedup_key"]
    (alert,) = await alerts(db)
    assert alert.status == "resolved" and alert.source == "events-v2"
    verbs = await count(db, AuditEvent, AuditEvent.verb.in_(["acknowledged", "resolved"]))
    assert verbs == 2


async def test_events_v2_trigger_without_key_opens_new_alerts(client, db):
    trigger = payload("events_v2_trigger") | {"routing_key": ROUTING}
    trigger.pop("dedup_key")
    keys = {(await client.post("/v2/enqueue", trigger))[1]["dedup_key"] for _ in range(2)}
    assert len(keys) == 2 and len(await alerts(db)) == 2


async def test_trigger_after_resolve_within_flap_window_reopens(client, db):
    trigger = payload("events_v2_trigger") | {"routing_key": ROUTING}
    resolve = {"routing_key": ROUTING, "event_action": "resolve", "dedup_key": trigger["dedup_key"]}
    await client.post("/v2/enqueue", trigger)
    await client.post("/v2/enqueue", resolve)
    await client.post("/v2/enqueue", trigger)
    (alert,) = await alerts(db)
    assert alert.status == "open" and alert.count == 2
    assert await count(db, AuditEvent, AuditEvent.verb == "reopened") == 1


async def test_grafana_and_azure_monitor(client, db):
    status, body, _ = await client.post(
        "/v1/integrations/grafana",
        payload("grafana_firing"),
        token=TOKENS["TANDEM_TEST_ACME_GRAFANA"],
    )
    assert status == 202 and body["alerts"][0]["effect"] == "created"
    azure = TOKENS["TANDEM_TEST_ACME_AZURE"]
    fired = payload("azure_monitor_fired")
    assert (await client.post("/v1/integrations/azure-monitor", fired, token=azure))[0] == 202
    status, body, _ = await client.post(
        "/v1/integrations/azure-monitor", payload("azure_monitor_resolved"), token=azure
    )
    assert body["alerts"][0]["effect"] == "resolved"
    sources = {a.source: a.status for a in await alerts(db)}
    assert sources == {"grafana": "open", "azure-monitor": "resolved"}


async def test_azure_monitor_may_carry_its_token_in_the_url(client, db):
    """An action group's webhook cannot set a header: the secret rides in the query."""
    azure = TOKENS["TANDEM_TEST_ACME_AZURE"]
    fired = payload("azure_monitor_fired")
    status, body, _ = await client.post(f"/v1/integrations/azure-monitor?token={azure}", fired)
    assert status == 202 and body["alerts"][0]["effect"] == "created"
    assert (await client.post("/v1/integrations/azure-monitor?token=wrong", fired))[0] == 401
    # Only Azure Monitor's route reads the query; the others want the header.
    native = TOKENS["TANDEM_TEST_ACME_TOKEN"]
    refused = await client.post(f"/v1/alerts?token={native}", {"title": "x", "severity": "low"})
    assert refused[0] == 401
    assert len(await alerts(db)) == 1


async def test_native_list_with_routing_and_suppression(client, db):
    token = TOKENS["TANDEM_TEST_ACME_TOKEN"]
    items = [
        {"title": "Core switch down", "severity": "high", "labels": {"team": "network"}},
        {"title": "Staging disk", "severity": "low", "labels": {"env": "staging"}},
    ]
    status, body, _ = await client.post("/v1/alerts", items, token=token)
    assert status == 202
    network, staging = await alerts(db)
    assert network.owner_side == "partner" and network.status == "open"
    assert staging.status == "silenced"
    assert await count(db, Outbox, Outbox.alert_id == staging.id) == 0


async def test_metrics_count_received_deduplicated_and_rejected(client):
    token = TOKENS["TANDEM_TEST_ACME_TOKEN"]
    one = {"title": "x", "severity": "low", "dedup_key": "k1"}
    await client.post("/v1/alerts", one, token=token)
    await client.post("/v1/alerts", copy.deepcopy(one), token=token)
    await client.post("/v1/alerts", raw=b"{nope", token=token)
    status, text = await client.get("/metrics")
    assert status == 200
    assert 'tandem_alerts_received_total{format="native"} 2.0' in text
    assert 'tandem_alerts_deduplicated_total{format="native"} 1.0' in text
    assert 'tandem_alerts_rejected_total{format="native",reason="malformed_json"} 1.0' in text
    assert 'tandem_ingest_seconds_count{format="native"} 2.0' in text


async def test_native_acknowledged_status_acknowledges_at_source(client, db):
    token = TOKENS["TANDEM_TEST_ACME_TOKEN"]
    one = {"title": "Backup late", "severity": "high", "dedup_key": "backup-1"}
    await client.post("/v1/alerts", one, token=token)
    acked = [one | {"status": "acknowledged"}, one | {"status": "acknowledged", "dedup_key": "x"}]
    status, body, _ = await client.post("/v1/alerts", acked, token=token)
    assert status == 202
    assert [(a["id"], a["effect"]) for a in body["alerts"]] == [
        ("ACME-1", "acknowledged"), (None, "ignored")]
    (alert,) = await alerts(db)
    assert alert.status == "open" and alert.source_acknowledged_at is not None
    assert alert.next_escalation_at is None
    status, body, _ = await client.post("/v1/alerts", one, token=token)
    assert body["alerts"][0]["effect"] == "retriggered"
    (alert,) = await alerts(db)
    assert alert.source_acknowledged_at is None and alert.next_escalation_at is not None
