"""Bot Framework JWT checks for POST /api/messages, done here rather than by botbuilder.

botframework-connector fetches the OpenID metadata and signing keys with `requests`
on the event loop, and fails bad tokens with assorted exception types (IndexError for
an unknown key id, PyJWT errors, PermissionError, bare Exception). Tandem fetches the
keys with aiohttp, caches them, and turns every failure into `Unauthorized`.
The checks follow the Bot Framework authentication spec: issuer, audience = app id,
lifetime (5 minutes of clock skew), RS256-family signature by a published key whose
endorsements include the activity's channel, and a serviceUrl claim equal to the
activity's serviceUrl.
"""

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://api.botframework.com"
ALGORITHMS = ("RS256", "RS384", "RS512")
SKEW = 300
KEYS_TTL = 24 * 3600
UNKNOWN_KID_REFETCH = 300  # at most one refetch per 5 minutes for unknown key ids


class Unauthorized(Exception):
    """The request does not carry a valid Bot Framework token; the message says why."""


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
    """The Bot Framework signing keys from the OpenID metadata's jwks_uri."""

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
                raise KeysUnavailable(f"Bot Framework signing keys: {error!r}") from None
            # Keep serving the keys we have; try again after the refetch interval.
            self._fetched_at = self._clock() - KEYS_TTL + UNKNOWN_KID_REFETCH
            return
        self._keys, self._fetched_at = parsed, self._clock()

    async def _json(self, url: str) -> dict:
        async with self._http.get(url) as response:
            response.raise_for_status()
            return await response.json(content_type=None)


@dataclass(frozen=True)
class _Verified:
    claims: dict
    kid: str
    expires: float


class TokenValidator:
    """Checks tokens; one whose signature it has verified is remembered until it
    expires, since the connector sends the same token with every activity for about
    an hour and the signature check is most of a request's authentication cost."""

    REMEMBERED = 1024

    def __init__(self, keys: OpenIdKeys, app_id: str):
        self._keys, self._app_id = keys, app_id
        self._verified: dict[str, _Verified] = {}

    async def validate(self, auth_header: str, service_url: str | None,
                       channel_id: str | None) -> dict:
        """The token's claims, or Unauthorized naming the first failed check."""
        scheme, _, token = (auth_header or "").partition(" ")
        if scheme != "Bearer" or not token.strip():
            raise Unauthorized("missing Bearer token")
        known = self._verified.get(token)
        if known is None or known.expires + SKEW < time.time():
            known = await self._check(token)
        key = await self._keys.get(known.kid)
        if key is None:  # the key was withdrawn since the token was verified
            self._verified.pop(token, None)
            raise Unauthorized("token signed with an unknown key")
        if key.endorsements and channel_id not in key.endorsements:
            raise Unauthorized(f"signing key not endorsed for channel {channel_id!r}")
        claimed = known.claims.get("serviceurl", known.claims.get("serviceUrl"))
        if not service_url or claimed != service_url:
            raise Unauthorized("serviceUrl claim does not match the activity")
        return known.claims

    async def _check(self, token: str) -> _Verified:
        try:
            header = jwt.get_unverified_header(token)
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.PyJWTError:
            raise Unauthorized("token is not a JWT") from None
        if issuer != ISSUER:
            raise Unauthorized("token not issued by the Bot Framework")
        if header.get("alg") not in ALGORITHMS:
            raise Unauthorized("token signing algorithm not allowed")
        kid = str(header.get("kid"))
        key = await self._keys.get(kid)
        if key is None:
            raise Unauthorized("token signed with an unknown key")
        claims = self._verify(token, key, header["alg"])
        if len(self._verified) >= self.REMEMBERED:
            self._verified.clear()
        self._verified[token] = verified = _Verified(claims, kid, float(claims["exp"]))
        return verified

    def _verify(self, token: str, key: SigningKey, algorithm: str) -> dict:
        try:
            return jwt.decode(token, key.key, algorithms=[algorithm], audience=self._app_id,
                              issuer=ISSUER, leeway=SKEW,
                              options={"require": ["exp", "iss", "aud"]})
        except jwt.ExpiredSignatureError:
            raise Unauthorized("token expired") from None
        except jwt.InvalidAudienceError:
            raise Unauthorized("token audience is not this bot") from None
        except jwt.PyJWTError as error:
            raise Unauthorized(f"token rejected: {type(error).__name__}") from None
