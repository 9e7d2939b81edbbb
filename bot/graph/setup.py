"""Builds a Graph security poller for every tenant with a `graph` integration."""

import logging
import os

import aiohttp

from bot.client_credentials import ClientCredentials
from bot.config import Settings
from bot.graph.client import GraphCredential, graph_client
from bot.graph.security_poller import SecurityPoller
from bot.metrics import Metrics
from handlers.config import TandemConfig
from handlers.timing import parse_duration
from storage.db import Database

log = logging.getLogger(__name__)


def security_pollers(
    db: Database, cfg: TandemConfig, settings: Settings, http: aiohttp.ClientSession,
    metrics: Metrics | None = None,
) -> list[SecurityPoller]:
    pollers = []
    for tenant in cfg.tenants:
        for integration in tenant.integrations:
            if integration.kind != "graph":
                continue
            secret = os.environ.get(integration.client_secret_env or "")
            if not secret:
                log.warning(
                    "graph poller %s/%s disabled: %s is not set",
                    tenant.id,
                    integration.id,
                    integration.client_secret_env,
                )
                continue
            token_url = (
                f"{settings.graph_login_url.rstrip('/')}/{integration.aad_tenant}/oauth2/v2.0/token"
            )
            if integration.client_id is None:  # the configuration requires it of graph
                raise ValueError(f"graph integration {integration.id} has no client_id")
            credentials = ClientCredentials(http, token_url, integration.client_id, secret)
            client, transport = graph_client(GraphCredential(credentials), settings.graph_url)
            every = parse_duration(integration.poll_every)
            pollers.append(SecurityPoller(db, cfg, tenant.id, client, transport, every=every,
                                          metrics=metrics))
    return pollers
