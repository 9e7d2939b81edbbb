"""Fake Microsoft Entra ID on 127.0.0.1: each tenant's OpenID metadata
(`/{tenant}/v2.0/.well-known/openid-configuration`) and JWKS
(`/{tenant}/discovery/v2.0/keys`), one RS256 key for every tenant, and `mint()` to sign
tokens like those an Azure Monitor action group's secure webhook sends."""

import json
import time
from dataclasses import dataclass, field

import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from fakes.botframework.identity import new_key
from fakes.loopback import started

KID = "entra-test-key"


def v1_issuer(tenant: str) -> str:
    return f"https://sts.windows.net/{tenant}/"


@dataclass
class FakeEntra:
    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    key_fetches: int = 0
    server: TestServer | None = None

    @property
    def url(self) -> str:
        """What TANDEM_ENTRA_LOGIN_URL points at."""
        return str(started(self.server).make_url("")).rstrip("/")

    async def start(self) -> "FakeEntra":
        app = web.Application()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._metadata)
        app.router.add_get("/{tenant}/discovery/v2.0/keys", self._keys)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        await started(self.server).close()

    def mint(self, tenant: str, audience: str, *, issuer: str | None = None,
             lifetime: int = 3600, key: rsa.RSAPrivateKey | None = None, kid: str = KID,
             **claims: object) -> str:
        """A token of `tenant` for `audience`; by default v1-issued, as Azure Monitor's."""
        now = int(time.time())
        body = {"iss": issuer or v1_issuer(tenant), "aud": audience, "tid": tenant,
                "iat": now - 10, "nbf": now - 10, "exp": now + lifetime, **claims}
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": kid})

    async def _metadata(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        return web.json_response({
            "issuer": f"https://login.microsoftonline.com/{tenant}/v2.0",
            "jwks_uri": f"{self.url}/{tenant}/discovery/v2.0/keys",
            "id_token_signing_alg_values_supported": ["RS256"]})

    async def _keys(self, _request: web.Request) -> web.Response:
        self.key_fetches += 1
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key())) | {"kid": KID, "use": "sig"}
        return web.json_response({"keys": [jwk]})
