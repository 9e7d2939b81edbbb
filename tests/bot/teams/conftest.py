"""A Teams test bench: fake Microsoft services on loopback, the real Teams parts, and the
/api/messages endpoint on a real aiohttp server, reached over HTTP with minted tokens."""

import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.config import Settings
from bot.metrics import Metrics
from bot.teams.mount import ROUTE, Teams, build
from cards import actions as A
from fakes.botframework.connector import APP_ID, APP_PASSWORD, FakeConnector
from fakes.botframework.identity import FakeIdentity
from tests.fixed import Fixed

TENANT = "aad-tenant-acme"
TEAM = "19:team-acme@thread.tacv2"
GROUP = "5e1f0c1e-7a2b-4c3d-9e8f-0a1b2c3d4e5f"  # the team's Microsoft 365 group id
CHANNEL = "19:ops@thread.tacv2"
BOT = f"28:{APP_ID}"


@dataclass
class Bench:
    teams: Teams
    connector: FakeConnector
    identity: FakeIdentity
    client: aiohttp.ClientSession
    server: TestServer

    @property
    def service_url(self) -> str:
        return self.connector.url

    def token(self, **changes) -> str:
        return self.identity.mint(changes.pop("audience", APP_ID),
                                  changes.pop("service_url", self.service_url), **changes)

    async def post(self, activity: dict, token: str | None = "valid",
                   **kwargs) -> tuple[int, object]:
        headers = kwargs.pop("headers", {})
        if token == "valid":
            token = self.token()
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        url = self.server.make_url(ROUTE)
        body = kwargs.pop("data", None)
        request = {"data": body} if body is not None else {"json": activity}
        async with self.client.post(url, headers=headers, **request) as response:
            text = await response.text()
            try:
                return response.status, await response.json(content_type=None)
            except ValueError:
                return response.status, text

    def activity(self, kind: str, aad: str = "aad-sam", **fields) -> dict:
        base = {
            "type": kind, "id": f"act-{uuid.uuid4().hex[:12]}", "channelId": "msteams",
            "serviceUrl": self.service_url,
            "from": {"id": f"29:{aad}", "name": "Someone", "aadObjectId": aad},
            "recipient": {"id": BOT, "name": "Tandem"},
            "conversation": {"id": f"{CHANNEL};messageid=100", "conversationType": "channel",
                             "tenantId": TENANT},
            "channelData": {"tenant": {"id": TENANT}, "team": {"id": TEAM, "aadGroupId": GROUP},
                            "channel": {"id": CHANNEL}},
        }
        return base | fields

    def click(self, short_id: str, version: int, action: str, aad: str = "aad-sam",
              **data) -> dict:
        payload = A.ButtonPayload(short_id, version, action).encode()
        value = {"action": {"type": "Action.Execute", "verb": action,
                            "data": {"payload": payload, **data}}, "trigger": "manual"}
        return self.activity("invoke", aad, name="adaptiveCard/action", value=value)


def settings_for(connector: FakeConnector, identity: FakeIdentity) -> Settings:
    return Settings(MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD=APP_PASSWORD,
                    MICROSOFT_APP_TENANT_ID=TENANT, teams_token_url=connector.token_url,
                    teams_openid_metadata_url=identity.metadata_url,
                    graph_url=identity.graph_url)


@asynccontextmanager
async def bench(db, cfg):
    connector = await FakeConnector().start()
    identity = await FakeIdentity().start()
    http, client = aiohttp.ClientSession(), aiohttp.ClientSession()
    teams = build(http, settings_for(connector, identity), db, Fixed(cfg), Metrics())
    app = web.Application()
    app.router.add_post(ROUTE, teams.endpoint.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield Bench(teams, connector, identity, client, server)
    finally:  # clients first, so no server is left holding a kept-alive connection
        await client.close()
        await teams.context.directory.close()
        await http.close()
        await server.close()
        await identity.close()
        await connector.close()


@pytest.fixture
async def teams(db, cfg):
    async with bench(db, cfg) as b:
        yield b


@pytest.fixture
async def teams_sqlite(sqlite_db, cfg):
    async with bench(sqlite_db, cfg) as b:
        yield b
