"""Signing keys published through OpenID metadata (its jwks_uri), fetched with aiohttp
and cached: the Bot Framework's for Teams (bot/teams/auth.py), a Microsoft Entra tenant's
for Azure Monitor's secure webhook (bot/intake/entra.py)."""

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm

KEYS_TTL = 24 * 3600
UNKNOWN_KID_REFETCH = 300  # at most one refetch per 5 minutes for unknown key ids


class KeysUnavailable(Exception):
    """The signing keys could not be fetched, so no token can be checked right now."""


@dataclass(frozen=True)
class SigningKey:
    key: RSAPublicKey
    endorsements: tuple[str, ...]


def _public_key(jwk: dict) -> RSAPublicKey:
    key = RSAAlgorithm.from_jwk(json.dumps(jwk))
    if not isinstance(key, RSAPublicKey):
        raise ValueError("a published signing key carries a private part")
    return key


class OpenIdKeys:
    """The signing keys named by one OpenID metadata document's jwks_uri."""

    def __init__(self, http: aiohttp.ClientSession, metadata_url: str,
                 clock: Callable[[], float] = time.monotonic):
        self._http, self._url, self._clock = http, metadata_url, clock
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def get(self, kid: str) -> SigningKey | None:
        if self._stale() or (kid not in self._keys and self._may_refetch()):
            async with self._lock:
                if self._stale() or (kid not in self._keys and self._may_refetch()):
                    await self._refresh()
        return self._keys.get(kid)

    def _stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at > KEYS_TTL

    def _may_refetch(self) -> bool:
        return self._clock() - (self._fetched_at or 0.0) > UNKNOWN_KID_REFETCH

    async def _refresh(self) -> None:
        try:
            metadata = await self._json(self._url)
            keys = await self._json(metadata["jwks_uri"])
            parsed = {k["kid"]: SigningKey(_public_key(k), tuple(k.get("endorsements", ())))
                      for k in keys["keys"] if k.get("kty") == "RSA" and "kid" in k}
        except (TimeoutError, aiohttp.ClientError, KeyError, TypeError, ValueError,
                jwt.PyJWTError) as error:
            if not self._keys:
                raise KeysUnavailable(f"signing keys from {self._url}: {error!r}") from None
            # Keep serving the keys we have; try again after the refetch interval.
            self._fetched_at = self._clock() - KEYS_TTL + UNKNOWN_KID_REFETCH
            return
        self._keys, self._fetched_at = parsed, self._clock()

    async def _json(self, url: str) -> dict:
        async with self._http.get(url) as response:
            response.raise_for_status()
            return await response.json(content_type=None)
