"""OAuth 2.0 client-credentials tokens from the Microsoft identity platform, fetched with
aiohttp (never blocking the event loop) and cached until shortly before they expire.

Used for the Bot Connector (bot/teams) and for Microsoft Graph (bot/graph).
"""

import asyncio
import time
from collections.abc import Callable

import aiohttp
from azure.core.credentials import AccessToken

_EARLY = 300  # renew five minutes before expiry


class TokenError(Exception):
    """The token endpoint refused or could not be reached; the message names why.
    `status` is the endpoint's HTTP status, None when it could not be reached."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class ClientCredentials:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        token_url: str,
        client_id: str,
        secret: str,
        clock: Callable[[], float] = time.time,
    ):
        self._http, self._url, self._id, self._secret = http, token_url, client_id, secret
        self._clock = clock
        self._cache: dict[str, AccessToken] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def token(self, scope: str) -> AccessToken:
        cached = self._cache.get(scope)
        if cached and cached.expires_on - _EARLY > self._clock():
            return cached
        async with self._locks.setdefault(scope, asyncio.Lock()):
            cached = self._cache.get(scope)
            if cached and cached.expires_on - _EARLY > self._clock():
                return cached
            self._cache[scope] = fresh = await self._fetch(scope)
            return fresh

    async def _fetch(self, scope: str) -> AccessToken:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._id,
            "client_secret": self._secret,
            "scope": scope,
        }
        try:
            async with self._http.post(self._url, data=form) as response:
                body = await response.json(content_type=None)
                status = response.status
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            raise TokenError(f"token endpoint unreachable: {type(error).__name__}") from None
        if status != 200 or not isinstance(body, dict) or "access_token" not in body:
            code = body.get("error", "no error code") if isinstance(body, dict) else "not JSON"
            raise TokenError(f"token endpoint answered HTTP {status} ({code}) for {scope}",
                             status)
        lifetime = int(body.get("expires_in", 3600))
        return AccessToken(body["access_token"], int(self._clock()) + lifetime)
