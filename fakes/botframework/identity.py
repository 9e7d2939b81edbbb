"""Fake Bot Framework OpenID metadata + JWKS, and a fake Graph (`users/{id}` and a
channel's messages) on 127.0.0.1.

Channel messages page like Graph: newest first by lastModifiedDateTime, `$top`
messages a page (20 unless asked, at most 50), `@odata.nextLink` to the next page.

`mint()` signs real RS256 tokens with the published key (or any other key, to forge).
"""

import asyncio
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from fakes.loopback import started

ISSUER = "https://api.botframework.com"
KID = "tandem-test-key"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeIdentity:
    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    users: dict[str, dict] = field(default_factory=dict)  # Graph users by object id
    graph_requests: list[dict] = field(default_factory=list)
    key_fetches: int = 0
    delay: float = 0.0  # seconds the key endpoint takes to answer
    graph_failures: int = 0  # how many user look-ups answer 500 first
    # Channel messages, newest last, by (team group id, channel id): what Teams shows.
    channel_messages: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    message_failures: list[int] = field(default_factory=list)  # next statuses to answer
    message_requests: list[tuple[str, str]] = field(default_factory=list)
    message_queries: list[dict[str, str]] = field(default_factory=list)  # each page's query
    server: TestServer | None = None

    @property
    def url(self) -> str:
        return str(started(self.server).make_url("")).rstrip("/")

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/v1/.well-known/openidconfiguration"

    @property
    def graph_url(self) -> str:
        return f"{self.url}/v1.0"

    async def start(self) -> "FakeIdentity":
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/.well-known/keys", self._keys)
        app.router.add_get("/v1.0/users/{id}", self._user)
        app.router.add_get("/v1.0/teams/{team}/channels/{channel}/messages", self._messages)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        await started(self.server).close()

    def mint(self, audience: str, service_url: str, *, lifetime: int = 3600,
             key: rsa.RSAPrivateKey | None = None, issuer: str = ISSUER, kid: str = KID,
             **claims) -> str:
        now = int(time.time())
        body = {"iss": issuer, "aud": audience, "serviceurl": service_url, "nbf": now - 10,
                "iat": now - 10, "exp": now + lifetime, **claims}
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": kid})

    async def _metadata(self, _request: web.Request) -> web.Response:
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{self.url}/v1/.well-known/keys",
                                  "id_token_signing_alg_values_supported": ["RS256"]})

    async def _keys(self, _request: web.Request) -> web.Response:
        self.key_fetches += 1
        await asyncio.sleep(self.delay)
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk |= {"kid": KID, "use": "sig", "endorsements": ["msteams", "emulator"]}
        return web.json_response({"keys": [jwk]})

    async def _user(self, request: web.Request) -> web.Response:
        self.graph_requests.append({"id": request.match_info["id"],
                                    "auth": request.headers.get("Authorization", "")})
        if self.graph_failures:
            self.graph_failures -= 1
            return web.json_response({"error": {"code": "generalException",
                                                "message": "fake outage"}}, status=500)
        user = self.users.get(request.match_info["id"])
        if user is None:
            return web.json_response({"error": {"code": "Request_ResourceNotFound",
                                                "message": "Resource does not exist."}},
                                     status=404)
        return web.json_response({"@odata.context": f"{self.graph_url}/$metadata#users/$entity",
                                  **user})

    def post_in_channel(self, team_group_id: str, channel: str, message_id: str,
                        app_id: str | None, card: dict | None = None, text: str = "",
                        at: datetime | None = None) -> None:
        """A message as Graph lists it: sent at `at` (now) by the app `app_id` (None: by a
        person), with an Adaptive Card."""
        attachments = [{"id": message_id, "contentType": "application/vnd.microsoft.card.adaptive",
                        "content": json.dumps(card)}] if card is not None else []
        stamp = _graph_time(at or datetime.now(UTC))
        self.channel_messages.setdefault((team_group_id, channel), []).append({
            "id": message_id, "messageType": "message", "createdDateTime": stamp,
            "lastModifiedDateTime": stamp,
            "from": {"application": {"id": app_id, "displayName": "Tandem"}, "user": None}
            if app_id else {"application": None, "user": {"id": "aad-sam", "displayName": "Sam"}},
            "body": {"contentType": "html", "content": text}, "attachments": attachments,
        })

    async def _messages(self, request: web.Request) -> web.Response:
        where = (request.match_info["team"], request.match_info["channel"])
        self.message_requests.append(where)
        if self.message_failures:
            status = self.message_failures.pop(0)
            return web.json_response({"error": {"code": "Forbidden" if status == 403 else "x",
                                                "message": "fake"}}, status=status)
        if where not in self.channel_messages:
            return web.json_response({"error": {"code": "NotFound", "message": "no channel"}},
                                     status=404)
        self.message_queries.append(dict(request.query))
        top = int(request.query.get("$top", "20"))
        if not 0 < top <= 50:
            return web.json_response({"error": {"code": "BadRequest",
                                                "message": "Invalid page size"}}, status=400)
        skip = int(request.query.get("$skiptoken", "0"))
        listed = self.channel_messages[where]
        newest = sorted(range(len(listed)), reverse=True,
                        key=lambda i: (listed[i]["lastModifiedDateTime"], i))
        body: dict = {"value": [listed[i] for i in newest[skip:skip + top]]}
        if skip + top < len(listed):
            body["@odata.nextLink"] = str(request.url.with_query(
                {"$top": str(top), "$skiptoken": str(skip + top)}))
        return web.json_response(body)


def _graph_time(at: datetime) -> str:
    """Graph's form: UTC, milliseconds, Z."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
