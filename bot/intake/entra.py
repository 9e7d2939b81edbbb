"""Microsoft Entra ID tokens from an Azure Monitor action group's secure webhook.

The action group sends `Authorization: Bearer <JWT>` that Entra ID issued for an app
registration. A token is accepted for an azure-monitor integration whose `entra`
names the token's tenant (`tid`) when it is RS256-signed by a key of that tenant's JWKS
(from its OpenID metadata, cached, refetched for an unknown key id), its issuer is the
tenant's v1 or v2 issuer, its audience is the configured one, and it is within its
lifetime, LEEWAY seconds of clock skew allowed.
"""

from dataclasses import dataclass

import aiohttp
import jwt

from bot.intake.auth import Grant
from bot.openid_keys import OpenIdKeys
from handlers.config import ConfigSource, TandemConfig

LEEWAY = 60


class Unauthorized(Exception):
    """The token is not one Tandem accepts; the message says why, in one sentence."""


@dataclass(frozen=True)
class _Check:
    grant: Grant
    tenant_id: str
    audience: str
    keys: OpenIdKeys

    @property
    def issuers(self) -> tuple[str, str]:
        return (f"https://sts.windows.net/{self.tenant_id}/",
                f"https://login.microsoftonline.com/{self.tenant_id}/v2.0")

    async def verify(self, token: str, kid: str) -> None:
        key = await self.keys.get(kid)
        if key is None:
            raise Unauthorized("token signed with a key its tenant does not publish")
        try:
            jwt.decode(token, key.key, algorithms=["RS256"], audience=self.audience,
                       issuer=self.issuers, leeway=LEEWAY,
                       options={"require": ["exp", "iss", "aud"]})
        except jwt.ExpiredSignatureError:
            raise Unauthorized("token expired") from None
        except jwt.ImmatureSignatureError:
            raise Unauthorized("token not valid yet") from None
        except jwt.InvalidAudienceError:
            raise Unauthorized(f"token audience is not {self.audience}") from None
        except jwt.InvalidIssuerError:
            raise Unauthorized("token issuer is not Microsoft Entra ID of its tenant") from None
        except jwt.InvalidSignatureError:
            raise Unauthorized("token signature does not verify") from None
        except jwt.PyJWTError as error:
            raise Unauthorized(f"token rejected: {type(error).__name__}") from None


class EntraTokens:
    """The Entra checks of every azure-monitor integration that configures one."""

    def __init__(self, config: ConfigSource, login_url: str, http: aiohttp.ClientSession):
        self._config, self._login_url, self._http = config, login_url, http
        self._keys: dict[str, OpenIdKeys] = {}  # one cache per Entra tenant, kept on reloads
        self._built_for: TandemConfig | None = None
        self._checks: list[_Check] = []

    def _current(self) -> list[_Check]:
        """The checks of the configuration in force (rebuilt after a reload)."""
        cfg = self._config.cfg
        if cfg is not self._built_for:
            self._checks = [
                _Check(Grant(tenant.id, integration.id, integration.kind),
                       integration.entra.tenant_id, integration.entra.audience,
                       self._tenant_keys(integration.entra.tenant_id))
                for tenant in cfg.tenants for integration in tenant.integrations
                if integration.entra is not None
            ]
            self._built_for = cfg
        return self._checks

    def _tenant_keys(self, tenant_id: str) -> OpenIdKeys:
        if tenant_id not in self._keys:
            self._keys[tenant_id] = OpenIdKeys(self._http,
                                               _metadata_url(self._login_url, tenant_id))
        return self._keys[tenant_id]

    async def grant(self, token: str) -> Grant:
        """The integration the token is for, or Unauthorized naming the first failed
        check (KeysUnavailable when the tenant's keys cannot be fetched)."""
        try:
            header = jwt.get_unverified_header(token)
            tid = jwt.decode(token, options={"verify_signature": False}).get("tid")
        except jwt.PyJWTError:
            raise Unauthorized("token is not a JWT") from None
        mine = [check for check in self._current() if check.tenant_id == tid]
        if not mine:
            raise Unauthorized("token is of a Microsoft Entra tenant no integration names")
        if header.get("alg") != "RS256":
            raise Unauthorized("token signing algorithm is not RS256")
        failures = []
        for check in mine:
            try:
                await check.verify(token, str(header.get("kid")))
                return check.grant
            except Unauthorized as error:
                failures.append(error)
        raise failures[0]


def _metadata_url(login_url: str, tenant_id: str) -> str:
    return f"{login_url.rstrip('/')}/{tenant_id}/v2.0/.well-known/openid-configuration"
