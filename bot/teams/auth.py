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

import time
from dataclasses import dataclass

import jwt

from bot.openid_keys import OpenIdKeys, SigningKey

ISSUER = "https://api.botframework.com"
ALGORITHMS = ("RS256", "RS384", "RS512")
SKEW = 300


class Unauthorized(Exception):
    """The request does not carry a valid Bot Framework token; the message says why."""


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
