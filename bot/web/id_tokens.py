"""Checking an id_token from the token endpoint before anyone is signed in with it: its
RS256 signature against the provider's published keys (bot/openid_keys.py), its issuer,
audience, expiry and issue time, and the nonce of this browser's sign-in attempt."""

import hmac
from typing import Any

import jwt

from bot.openid_keys import KeysUnavailable, OpenIdKeys
from bot.web.provider import ProviderError, Refused

LEEWAY = 60  # seconds of clock difference tolerated between Tandem and the provider
REQUIRED = ["iss", "aud", "exp", "iat", "sub", "nonce"]

_REASONS: list[tuple[type[jwt.PyJWTError], str]] = [
    (jwt.InvalidAudienceError, "was issued for another application"),
    (jwt.InvalidIssuerError, "was issued by another provider than the one configured"),
    (jwt.ExpiredSignatureError, "has expired"),
    (jwt.ImmatureSignatureError, "is not valid yet (check the server's clock)"),
    (jwt.InvalidSignatureError, "does not carry the provider's signature"),
    (jwt.MissingRequiredClaimError, "lacks a claim OpenID Connect requires"),
]


def refused(what: str) -> Refused:
    return Refused(f"Sign-in refused: the provider's token {what}.")


def _reason(error: jwt.PyJWTError) -> str:
    return next((why for kind, why in _REASONS if isinstance(error, kind)),
                "could not be read")


class IdTokens:
    def __init__(self, client_id: str, keys: OpenIdKeys):
        self.client_id, self._keys = client_id, keys

    async def verify(self, token: str, issuer: str, nonce: str) -> dict[str, Any]:
        """The token's claims, once everything about it checks out; Refused otherwise."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise refused("could not be read") from None
        if header.get("alg") != "RS256":
            raise refused("is not signed with RS256")
        kid = header.get("kid")
        try:
            signing = await self._keys.get(kid) if isinstance(kid, str) else None
        except KeysUnavailable:
            raise ProviderError("The sign-in provider's signing keys could not be "
                                "fetched; try again shortly.") from None
        if signing is None:
            raise refused("is signed with a key the provider does not publish")
        try:
            claims: dict[str, Any] = jwt.decode(
                token, signing.key, algorithms=["RS256"], audience=self.client_id,
                issuer=issuer, leeway=LEEWAY, options={"require": REQUIRED})
        except jwt.PyJWTError as error:
            raise refused(_reason(error)) from None
        self._check_party(claims)
        if not hmac.compare_digest(str(claims["nonce"]).encode(), nonce.encode()):
            raise refused("belongs to another sign-in attempt")
        return claims

    def _check_party(self, claims: dict[str, Any]) -> None:
        """With several audiences, the one it was issued to (azp) must be Tandem."""
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.client_id:
            raise refused("was issued to another application")
