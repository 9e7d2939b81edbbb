"""A fake Microsoft identity platform + Microsoft Graph on 127.0.0.1.

Speaks the real shapes: the client-credentials token endpoint (a token per scope:
`graph-token-N` for Graph, `defender-token-N` for the Defender for Endpoint API), GET
/v1.0/security/alerts_v2 with $filter/$top and @odata.nextLink paging, and the calls
remediations make (fakes/graph_remediation.py): users, riskyUsers, alerts_v2 updates.
It records every request and can answer 429 with Retry-After.
"""

from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.test_utils import TestServer

from fakes.graph_remediation import GraphRemediation
from fakes.loopback import started

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
DEFENDER_SCOPE = "https://api.securitycenter.microsoft.com/.default"
TOKEN_PREFIX = {GRAPH_SCOPE: "graph-token", DEFENDER_SCOPE: "defender-token"}


@dataclass
class FakeGraph(GraphRemediation):
    pages: list[list[dict]] = field(default_factory=list)
    throttle_next: int = 0  # how many alert requests answer 429 before serving
    retry_after: int = 1
    secret: str = "s3cret"  # the one client secret the token endpoint accepts
    tokens_issued: int = 0
    token_requests: list[dict] = field(default_factory=list)  # tenant and scope of each
    server: TestServer | None = None

    @property
    def base(self) -> str:
        return str(started(self.server).make_url("")).rstrip("/")

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        scope = str(form.get("scope", ""))
        self.token_requests.append({"tenant": request.match_info["tenant"], "scope": scope})
        granted = form.get("grant_type") == "client_credentials"
        if not granted or form.get("client_secret") != self.secret:
            return web.json_response({"error": "invalid_client"}, status=401)
        if scope not in TOKEN_PREFIX:
            return web.json_response({"error": "invalid_scope"}, status=400)
        self.tokens_issued += 1
        return web.json_response({"token_type": "Bearer", "expires_in": 3599,
                                  "access_token": f"{TOKEN_PREFIX[scope]}-{self.tokens_issued}"})

    async def _alerts(self, request: web.Request) -> web.Response:
        self.record(request, None)
        if self.throttle_next:
            self.throttle_next -= 1
            return web.json_response(
                {"error": {"code": "TooManyRequests", "message": "Throttled"}},
                status=429, headers={"Retry-After": str(self.retry_after)})
        index = int(request.query.get("$skiptoken", "0"))
        body: dict = {"@odata.context": f"{self.base}/v1.0/$metadata#security/alerts_v2",
                      "value": self.pages[index] if index < len(self.pages) else []}
        if index + 1 < len(self.pages):
            body["@odata.nextLink"] = f"{self.base}/v1.0/security/alerts_v2?$skiptoken={index + 1}"
        return web.json_response(body)

    async def start(self) -> "FakeGraph":
        app = web.Application()
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_get("/v1.0/security/alerts_v2", self._alerts)
        self.add_remediation_routes(app)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        await started(self.server).close()
