"""Integration credentials: each token or routing key belongs to one tenant and one format.

Secrets are read from the environment variables the configuration in force names; a
missing variable leaves that integration disabled. A reload rebuilds the table on the
next request, so a removed integration's token is refused at once. Lookups go through
a SHA-256 of the presented secret, so no secret is compared byte by byte or kept in a
log.
"""

import hashlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

from handlers.config import ConfigSource, TandemConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Grant:
    tenant_id: str
    integration: str
    kind: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _grants(cfg: TandemConfig, env: Mapping[str, str]) -> dict[str, Grant]:
    grants: dict[str, Grant] = {}
    for tenant in cfg.tenants:
        for integration in tenant.integrations:
            name = integration.token_env or integration.routing_key_env
            if not name:
                continue
            secret = env.get(name)
            if not secret:
                log.warning(
                    "integration %s/%s disabled: %s is not set", tenant.id, integration.id, name
                )
                continue
            grants[_digest(secret)] = Grant(tenant.id, integration.id, integration.kind)
    return grants


class Credentials:
    def __init__(self, config: ConfigSource, environ: Mapping[str, str] | None = None):
        self._config, self._env = config, os.environ if environ is None else environ
        self._built_for = config.cfg
        self._grants = _grants(self._built_for, self._env)

    def grant(self, secret: str | None) -> Grant | None:
        if self._config.cfg is not self._built_for:  # a reload swapped the configuration
            self._built_for = self._config.cfg
            self._grants = _grants(self._built_for, self._env)
        return self._grants.get(_digest(secret)) if secret else None

    @staticmethod
    def bearer(header: str | None) -> str | None:
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None
