"""The OpenID provider as Tandem's console uses it: its discovery document (fetched from
{issuer}/.well-known/openid-configuration and cached), the authorization URL a browser
is sent to, and the exchange of the code that comes back for an id_token."""

import asyncio
import base64
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

import aiohttp
from yarl import URL

from bot.web.console_settings import OidcClient
from bot.web.flows import Flow

METADATA_TTL = 24 * 3600
SCOPE = "openid email profile"


class ProviderError(Exception):
    """The provider could not be reached or answered something unusable: one sentence."""


class Refused(Exception):
    """A sign-in Tandem refuses, in one sentence the person reads."""


@dataclass(frozen=True)
class Metadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    auth_methods: tuple[str, ...]  # token_endpoint_auth_methods_supported


def _metadata(client: OidcClient, document: Any) -> Metadata:
    if not isinstance(document, dict):
        raise ProviderError(f"{client.discovery_url} is not an OpenID discovery document.")
    fields = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
    missing = [name for name in fields if not isinstance(document.get(name), str)]
    if missing:
        raise ProviderError(f"{client.discovery_url} lacks {', '.join(missing)}.")
    if document["issuer"].rstrip("/") != client.issuer.rstrip("/"):
        raise ProviderError(f"The provider at {client.discovery_url} calls itself "
                            f"{document['issuer']}: set TANDEM_OIDC_ISSUER to that.")
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    return Metadata(document["issuer"], document["authorization_endpoint"],
                    document["token_endpoint"], tuple(str(m) for m in methods))


def _error_code(body: Any) -> str:
    code = body.get("error") if isinstance(body, dict) else None
    return code if isinstance(code, str) and re.fullmatch(r"[a-z_]{1,40}", code) else "refused"


class Provider:
    def __init__(self, client: OidcClient, http: aiohttp.ClientSession,
                 clock: Callable[[], float] = time.monotonic):
        self.client, self._http, self._clock = client, http, clock
        self._metadata: Metadata | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def metadata(self) -> Metadata:
        async with self._lock:
            if self._metadata is None or self._clock() - self._fetched_at > METADATA_TTL:
                self._metadata = _metadata(self.client, await self._discover())
                self._fetched_at = self._clock()
            return self._metadata

    async def _discover(self) -> Any:
        url = self.client.discovery_url
        try:
            async with self._http.get(url) as response:
                response.raise_for_status()
                return await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            raise ProviderError(f"The sign-in provider at {url} could not be reached "
                                f"({type(error).__name__}); try again shortly.") from None

    async def authorization_url(self, flow: Flow) -> str:
        endpoint = URL((await self.metadata()).authorization_endpoint)
        return str(endpoint.update_query({
            "response_type": "code", "client_id": self.client.client_id,
            "redirect_uri": self.client.redirect_uri, "scope": SCOPE, "state": flow.state,
            "nonce": flow.nonce, "code_challenge": flow.challenge,
            "code_challenge_method": "S256"}))

    def _client_auth(self, methods: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str]]:
        """The form fields and headers that authenticate Tandem at the token endpoint."""
        client_id, secret = self.client.client_id, self.client.client_secret
        if secret is None:
            return {"client_id": client_id}, {}
        if "client_secret_post" in methods:
            return {"client_id": client_id, "client_secret": secret}, {}
        if "client_secret_basic" in methods:
            # RFC 6749 2.3.1: each part form-encoded before the Basic encoding
            pair = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
            return {}, {"Authorization": f"Basic {base64.b64encode(pair).decode('ascii')}"}
        raise ProviderError("The provider accepts neither client_secret_post nor "
                            "client_secret_basic at its token endpoint.")

    async def exchange(self, code: str, flow: Flow) -> str:
        """The id_token the provider gives for `code`; Refused when it will not."""
        metadata = await self.metadata()
        fields, headers = self._client_auth(metadata.auth_methods)
        form = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": self.client.redirect_uri, "code_verifier": flow.verifier,
                **fields}
        try:
            async with self._http.post(metadata.token_endpoint, data=form,
                                       headers=headers) as response:
                body = await response.json(content_type=None)
                status = response.status
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            raise ProviderError(f"The sign-in provider's token endpoint could not be "
                                f"reached ({type(error).__name__}); try again.") from None
        if status in (400, 401):
            raise Refused(f"The provider refused the sign-in code ({_error_code(body)}); "
                          "sign in again.")
        token = body.get("id_token") if isinstance(body, dict) else None
        if status != 200 or not isinstance(token, str):
            raise ProviderError(f"The sign-in provider's token endpoint answered HTTP "
                                f"{status} without an id_token; try again.")
        return token
