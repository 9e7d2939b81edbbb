"""A fake Bot Connector service (and its token endpoint) on 127.0.0.1.

Speaks the Bot Framework v3 REST shapes: send to / update in / reply in a conversation,
create a conversation, list a team's channels, and the client-credentials token
endpoint. It records every call and can answer the next calls with given statuses
(429 with Retry-After, 412, 502 ...).
"""

import itertools
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.test_utils import TestServer

from fakes.loopback import started

APP_ID = "11111111-2222-3333-4444-555555555555"
APP_PASSWORD = "bot-s3cret"


@dataclass
class FakeConnector:
    channels: dict[str, list[str]] = field(default_factory=dict)  # team id -> channel ids
    calls: list[dict] = field(default_factory=list)
    failures: list[tuple[int, dict]] = field(default_factory=list)  # next answers, in order
    tokens: list[str] = field(default_factory=list)
    server: TestServer | None = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        return str(started(self.server).make_url("")).rstrip("/")

    @property
    def token_url(self) -> str:
        return f"{self.url}/tenant/oauth2/v2.0/token"

    def sent(self, op: str | None = None) -> list[dict]:
        return [c for c in self.calls if op is None or c["op"] == op]

    async def start(self) -> "FakeConnector":
        app = web.Application()
        app.router.add_post("/tenant/oauth2/v2.0/token", self._token)
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._reply)
        app.router.add_get("/v3/teams/{team}/conversations", self._team_channels)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        await started(self.server).close()

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if (form.get("grant_type"), form.get("client_id"), form.get("client_secret")) != (
                "client_credentials", APP_ID, APP_PASSWORD):
            return web.json_response({"error": "invalid_client"}, status=401)
        token = f"fake-token-{len(self.tokens) + 1}"
        self.tokens.append(token)
        return web.json_response({"token_type": "Bearer", "expires_in": 3599,
                                  "access_token": token, "scope": form.get("scope")})

    def _refused(self, request: web.Request) -> web.Response | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or token not in self.tokens:
            return web.json_response({"error": {"code": "Unauthorized", "message": "no token"}},
                                     status=401)
        if self.failures:
            status, headers = self.failures.pop(0)
            self.calls.append({"op": "failed", "status": status, "path": request.path})
            return web.json_response({"error": {"code": "Throttled", "message": "fake"}},
                                     status=status, headers=headers)
        return None

    async def _record(self, request: web.Request, op: str) -> tuple[web.Response | None, str]:
        refused = self._refused(request)
        if refused:
            return refused, ""
        new_id = str(next(self._ids))
        self.calls.append({"op": op, "conversation": request.match_info.get("cid"),
                           "activity_id": request.match_info.get("aid"), "id": new_id,
                           "body": await request.json()})
        return None, new_id

    async def _send(self, request: web.Request) -> web.Response:
        refused, new_id = await self._record(request, "send")
        return refused or web.json_response({"id": new_id}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        refused, _ = await self._record(request, "update")
        return refused or web.json_response({"id": request.match_info["aid"]})

    async def _reply(self, request: web.Request) -> web.Response:
        refused, new_id = await self._record(request, "reply")
        return refused or web.json_response({"id": new_id}, status=201)

    async def _create(self, request: web.Request) -> web.Response:
        refused, new_id = await self._record(request, "create")
        return refused or web.json_response({"id": f"a:chat-{new_id}"}, status=201)

    async def _team_channels(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused:
            return refused
        found = self.channels.get(request.match_info["team"], [])
        return web.json_response({"conversations": [{"id": c, "name": c} for c in found]})
