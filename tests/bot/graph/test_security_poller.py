"""The Graph security poller against a fake Graph on loopback: paging, 429, cursor, resolve."""

import copy
import json
import time

import aiohttp
import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.graph.setup import security_pollers
from fakes.graph import FakeGraph
from storage.models import Alert
from tests.bot.intake.conftest import PAYLOADS

SAMPLE = json.loads((PAYLOADS / "graph_alerts_page.json").read_text())["value"]


def later(alert: dict, **changes) -> dict:
    updated = copy.deepcopy(alert)
    updated.update(changes)
    return updated


# The sample's second alert is already resolved; a resolve for an unknown alert is
# ignored, so the page used here has it still in progress.
PAGE = [SAMPLE[0], later(SAMPLE[1], status="inProgress")]


async def test_an_already_resolved_alert_opens_nothing(graph, poller, db):
    graph.pages = [[SAMPLE[1]]]
    assert (await poller.poll()).alerts == 1
    assert await alerts(db) == []


@pytest.fixture
async def graph(monkeypatch):
    monkeypatch.setenv("TANDEM_TEST_ACME_GRAPH_SECRET", "s3cret")
    fake = await FakeGraph().start()
    yield fake
    await fake.close()


@pytest.fixture
async def poller(graph, db, cfg):
    settings = Settings(graph_url=f"{graph.base}/v1.0", graph_login_url=graph.base)
    async with aiohttp.ClientSession() as http:
        (only,) = security_pollers(db, cfg, settings, http)
        yield only
        await only.close()


async def alerts(db) -> list[Alert]:
    async with db.unit() as uow:
        s = await uow.session()
        return list((await s.execute(select(Alert).order_by(Alert.id))).scalars())


async def test_two_pages_then_cursor_and_resolve(graph, poller, db):
    third = later(
        PAGE[0],
        id="da-third",
        title="Impossible travel",
        lastUpdateDateTime="2024-05-14T15:00:00.1234567Z",
    )
    graph.pages = [PAGE, [third]]
    first = await poller.poll()
    assert (first.pages, first.alerts) == (2, 3)
    assert first.cursor == "2024-05-14T15:00:00.1234567Z"
    stored = await alerts(db)
    assert [a.fingerprint for a in stored] == [PAGE[0]["id"], PAGE[1]["id"], "da-third"]
    assert stored[0].labels["device"] == "ws-0142.corp.contoso.com"
    assert graph.requests[0]["query"] == {"$top": "100"}
    assert graph.requests[0]["authorization"] == "Bearer graph-token-1"

    graph.requests.clear()
    graph.pages = [
        [later(PAGE[0], status="resolved", lastUpdateDateTime="2024-05-14T16:00:00.0000000Z")]
    ]
    second = await poller.poll()
    assert second.alerts == 1
    assert graph.requests[0]["query"]["$filter"] == (
        "lastUpdateDateTime gt 2024-05-14T15:00:00.1234567Z"
    )
    assert [a.status for a in await alerts(db)] == ["resolved", "open", "open"]
    assert graph.tokens_issued == 1  # the token is cached between polls


async def test_throttling_is_retried_after_retry_after(graph, poller, db):
    graph.pages = [PAGE]
    graph.throttle_next = 1
    started = time.monotonic()
    result = await poller.poll()
    assert result.alerts == 2
    assert len(graph.requests) == 2
    assert time.monotonic() - started >= graph.retry_after


async def test_malformed_alert_is_skipped_not_fatal(graph, poller, db):
    graph.pages = [[{"id": "broken", "severity": 7}, PAGE[1]]]
    result = await poller.poll()
    assert result.alerts == 1
    assert [a.fingerprint for a in await alerts(db)] == [PAGE[1]["id"]]
