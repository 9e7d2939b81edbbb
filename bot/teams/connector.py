"""Bot Connector clients (botframework-connector) on Tandem's aiohttp session.

By default the connector sends through `requests` in a thread pool, retries POSTs on
5xx by itself with up to 90 s of backoff, and signs with msal on the event loop.
Here each client sends through aiohttp with a time limit, never retries on its own
(the outbox dispatcher owns retries), and signs with an async token (tokens.py).
"""

import contextlib
from collections.abc import Iterator
from urllib.parse import quote

import aiohttp
from botframework.connector import AsyncBfPipeline, BotFrameworkConnectorConfiguration
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import ConnectorFactory
from msrest.exceptions import ClientException, HttpOperationError
from msrest.pipeline.aiohttp import AioHTTPSender
from msrest.universal_http.aiohttp import AioHTTPSender as AioHTTPDriver

from bot.client_credentials import ClientCredentials, TokenError
from bot.outbox.sender import Permanent, RateLimited, Transient
from bot.teams.tokens import BOT_SCOPE, ConnectorAuth

RETRYABLE = {408, 412, 429, 500, 502, 503, 504}
DEFAULT_RETRY_AFTER = 1.0


class _SharedDriver(AioHTTPDriver):
    """msrest's aiohttp driver, on a session it does not own (and so never closes)."""

    def __init__(self, session: aiohttp.ClientSession):  # no super(): it opens a session
        self._session = session


class Connectors(ConnectorFactory):
    """One ConnectorClient per service URL, shared by inbound turns and proactive sends."""

    def __init__(self, http: aiohttp.ClientSession, credentials: ClientCredentials):
        self._http, self._credentials = http, credentials
        self._auth = ConnectorAuth(credentials)
        self._clients: dict[str, ConnectorClient] = {}

    def client(self, service_url: str) -> ConnectorClient:
        base = service_url.rstrip("/")
        found = self._clients.get(base)
        if found is None:
            config = BotFrameworkConnectorConfiguration(
                self._auth, base, pipeline_type=AsyncBfPipeline,
                sender=AioHTTPSender(_SharedDriver(self._http)))
            found = self._clients[base] = ConnectorClient(None, custom_configuration=config)
        return found

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        return self.client(service_url)

    async def team_channels(self, service_url: str, team_id: str) -> list[str]:
        """The channel ids of a team (GET /v3/teams/{id}/conversations, which the async
        ConnectorClient lacks and botbuilder's TeamsInfo only calls synchronously)."""
        token = await self._credentials.token(BOT_SCOPE)
        url = f"{service_url.rstrip('/')}/v3/teams/{quote(team_id, safe='')}/conversations"
        async with self._http.get(url, headers={"Authorization": f"Bearer {token.token}"}) as r:
            if r.status != 200:
                raise classify(r.status, r.headers, "list team channels")
            body = await r.json(content_type=None)
        found = body.get("conversations") if isinstance(body, dict) else None
        return [c["id"] for c in found or () if isinstance(c, dict) and c.get("id")]


def _retry_after(headers) -> float:
    try:
        return max(0.0, float(headers.get("Retry-After", DEFAULT_RETRY_AFTER)))
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def classify(status: int, headers, what: str) -> Exception:
    """The dispatcher's view of an HTTP failure from the Bot Connector."""
    if status == 429:
        return RateLimited(_retry_after(headers))
    if status in RETRYABLE or status >= 500:
        return Transient(f"{what}: Bot Connector answered HTTP {status}", f"http_{status}")
    return Permanent(f"{what}: Bot Connector answered HTTP {status}", f"http_{status}")


@contextlib.contextmanager
def mapped(what: str) -> Iterator[None]:
    """Turn connector, network and timeout errors into RateLimited/Transient/Permanent."""
    try:
        yield
    except HttpOperationError as error:
        response = error.response
        raise classify(response.status_code, response.headers, what) from None
    except (TimeoutError, aiohttp.ClientError, ClientException, TokenError) as error:
        raise Transient(f"{what}: {type(error).__name__}", type(error).__name__) from None
