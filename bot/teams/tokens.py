"""Bot Connector authentication: client-credentials tokens fetched asynchronously.

botframework-connector would fetch them through msal, synchronously, on the event loop;
Tandem hands the connector `ConnectorAuth` instead (tokens from bot/client_credentials.py).
"""

from msrest.pipeline.async_abc import AsyncHTTPPolicy

from bot.client_credentials import ClientCredentials

BOT_SCOPE = "https://api.botframework.com/.default"


def default_token_url(tenant_id: str | None) -> str:
    """Single-tenant bots use their own tenant; multi-tenant bots the botframework.com one."""
    return f"https://login.microsoftonline.com/{tenant_id or 'botframework.com'}/oauth2/v2.0/token"


class ConnectorAuth(AsyncHTTPPolicy):
    """msrest pipeline step: a Bot Connector call carries a bot token, fetched async."""

    def __init__(self, credentials: ClientCredentials):
        super().__init__()
        self._credentials = credentials

    async def send(self, request, **kwargs):
        token = await self._credentials.token(BOT_SCOPE)
        request.http_request.headers["Authorization"] = f"Bearer {token.token}"
        if self.next is None:  # msrest links every policy to the next when it builds a pipeline
            raise RuntimeError("ConnectorAuth is used outside an msrest pipeline")
        return await self.next.send(request, **kwargs)
