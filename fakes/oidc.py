"""Fake OpenID Connect provider on 127.0.0.1, laid out as Microsoft Entra ID's v2.0
endpoints under one tenant: discovery, JWKS, /authorize (approves `user` at once and
redirects back with a code and the state) and /token (checks the client's credentials,
the code, its redirect_uri and the PKCE verifier against the challenge, then returns an
RS256 id_token with the nonce).

`spoil` makes /token hand out a bad id_token of one kind (SPOILS) for refusal tests.
"""

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from yarl import URL

from fakes.botframework.identity import new_key
from fakes.loopback import started

TENANT = "00000000-0000-0000-0000-00000000f00d"
KID = "oidc-test-key"
SPOILS = ("wrong-audience", "bad-signature", "wrong-issuer", "expired", "wrong-nonce")


@dataclass
class Grant:
    """What /authorize issued a code for."""

    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str
    claims: dict[str, Any]
    used: bool = False


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _oauth_error(code: str, status: int = 400) -> web.Response:
    return web.json_response({"error": code, "error_description": f"fake: {code}"},
                             status=status)


@dataclass
class FakeOidc:
    client_id: str = "tandem-console"
    client_secret: str = "console-secret"
    redirect_uris: list[str] = field(default_factory=list)
    auth_methods: tuple[str, ...] = ("client_secret_post", "client_secret_basic")
    user: dict[str, Any] | None = None  # the claims of who /authorize signs in; None: denied
    spoil: str | None = None  # one of SPOILS
    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    codes: dict[str, Grant] = field(default_factory=dict)
    client_auth: list[str] = field(default_factory=list)  # method each /token call used
    server: TestServer | None = None

    @property
    def url(self) -> str:
        return str(started(self.server).make_url("")).rstrip("/")

    @property
    def issuer(self) -> str:
        """What TANDEM_OIDC_ISSUER is set to."""
        return f"{self.url}/{TENANT}/v2.0"

    async def start(self) -> "FakeOidc":
        app = web.Application()
        app.router.add_get(f"/{TENANT}/v2.0/.well-known/openid-configuration", self._metadata)
        app.router.add_get(f"/{TENANT}/discovery/v2.0/keys", self._keys)
        app.router.add_get(f"/{TENANT}/oauth2/v2.0/authorize", self._authorize)
        app.router.add_post(f"/{TENANT}/oauth2/v2.0/token", self._token)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        await started(self.server).close()

    def mint(self, claims: dict[str, Any], *, key: rsa.RSAPrivateKey | None = None,
             kid: str = KID) -> str:
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": kid})

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": grant.client_id, "sub": secrets.token_hex(8),
                  "tid": TENANT, "iat": now, "nbf": now, "exp": now + 3600,
                  "nonce": grant.nonce, **grant.claims}
        spoiled: dict[str, dict[str, Any]] = {
            "wrong-audience": {"aud": "another-app"},
            "wrong-issuer": {"iss": "https://login.example/another/v2.0"},
            "expired": {"iat": now - 7200, "nbf": now - 7200, "exp": now - 3600},
            "wrong-nonce": {"nonce": "a-nonce-of-another-sign-in"}}
        claims |= spoiled.get(self.spoil or "", {})
        return self.mint(claims, key=new_key() if self.spoil == "bad-signature" else None)

    async def _metadata(self, _request: web.Request) -> web.Response:
        base = f"{self.url}/{TENANT}"
        return web.json_response({
            "issuer": self.issuer,
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_types_supported": ["code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": list(self.auth_methods)})

    async def _keys(self, _request: web.Request) -> web.Response:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key())) | {"kid": KID, "use": "sig"}
        return web.json_response({"keys": [jwk]})

    async def _authorize(self, request: web.Request) -> web.Response:
        q = request.query
        if q.get("client_id") != self.client_id or q.get("redirect_uri") not in self.redirect_uris:
            return web.Response(status=400, text="unknown client or redirect_uri")
        back = URL(q["redirect_uri"])
        problem = None
        if q.get("response_type") != "code" or "openid" not in q.get("scope", "").split():
            problem = "unsupported_response_type"
        elif q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            problem = "invalid_request"
        elif self.user is None:
            problem = "access_denied"
        if problem:
            raise web.HTTPFound(back.update_query(error=problem, state=q.get("state", "")))
        code = secrets.token_urlsafe(24)
        self.codes[code] = Grant(self.client_id, q["redirect_uri"], q["code_challenge"],
                                 q.get("nonce", ""), dict(self.user or {}))
        raise web.HTTPFound(back.update_query(code=code, state=q.get("state", "")))

    def _client(self, request: web.Request, form: Any) -> str | None:
        """The authentication method the client used, when its credentials are right."""
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            name, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            given, method = (unquote_plus(name), unquote_plus(secret)), "client_secret_basic"
        else:
            given, method = (form.get("client_id"), form.get("client_secret")), \
                "client_secret_post"
        ok = given == (self.client_id, self.client_secret) and method in self.auth_methods
        return method if ok else None

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        method = self._client(request, form)
        if method is None:
            return _oauth_error("invalid_client", 401)
        self.client_auth.append(method)
        if form.get("grant_type") != "authorization_code":
            return _oauth_error("unsupported_grant_type")
        grant = self.codes.get(str(form.get("code")))
        verifier = form.get("code_verifier")
        if (grant is None or grant.used or grant.redirect_uri != form.get("redirect_uri")
                or not isinstance(verifier, str) or _s256(verifier) != grant.challenge):
            return _oauth_error("invalid_grant")
        grant.used = True
        return web.json_response({"access_token": secrets.token_urlsafe(16),
                                  "token_type": "Bearer", "expires_in": 3600,
                                  "id_token": self.id_token(grant)})
