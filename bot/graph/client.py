"""Microsoft Graph clients (msgraph-sdk) authenticated with client-credentials tokens.

The base URL is a setting, so tests point Graph at a fake on loopback.
"""

from urllib.parse import urlsplit

import httpx
from azure.core.credentials import AccessToken
from azure.core.credentials_async import AsyncTokenCredential
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_request_adapter import options as graph_options
from msgraph.graph_service_client import GraphServiceClient
from msgraph_core import GraphClientFactory
from msgraph_core.authentication import AzureIdentityAuthenticationProvider

from bot.client_credentials import ClientCredentials

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


class GraphCredential(AsyncTokenCredential):
    """azure-core credential for msgraph-sdk, backed by ClientCredentials."""

    def __init__(self, credentials: ClientCredentials):
        self._credentials = credentials

    async def get_token(self, *scopes: str, **_options) -> AccessToken:
        return await self._credentials.token(scopes[0] if scopes else GRAPH_SCOPE)

    async def close(self) -> None:
        """The aiohttp session belongs to the Teams context, which closes it."""

    async def __aexit__(self, *_exc) -> None:
        await self.close()


def graph_client(
    credential: GraphCredential, base_url: str
) -> tuple[GraphServiceClient, httpx.AsyncClient]:
    """A GraphServiceClient whose requests go to `base_url` (a fake in tests), and its
    HTTP client, which the caller closes."""
    host = urlsplit(base_url).hostname or ""
    auth = AzureIdentityAuthenticationProvider(
        credential, scopes=[GRAPH_SCOPE], allowed_hosts=[host]
    )
    http = GraphClientFactory.create_with_default_middleware(options=graph_options)
    adapter = GraphRequestAdapter(auth, http)
    adapter.base_url = base_url.rstrip("/")
    return GraphServiceClient(request_adapter=adapter), http
