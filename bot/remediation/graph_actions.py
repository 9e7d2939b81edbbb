"""Microsoft Graph remediations (graph.* kinds) with the tenant's app registration.

One msgraph-sdk client per app registration, kept for the life of the executor (its
token is cached by ClientCredentials). Every call is idempotent, so every kind may be
repeated after a crash, and each is done when Graph answers. msgraph-sdk's RetryHandler
already retries 429, 503 and 504 a few times, honouring Retry-After; whatever still
fails is a Retry with Graph's Retry-After.
"""

import aiohttp
import httpx
from kiota_abstractions.api_error import APIError
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.graph_service_client import GraphServiceClient

from bot.client_credentials import ClientCredentials, TokenError
from bot.graph.client import GraphCredential, graph_client
from bot.remediation import jobs
from bot.remediation.executor import AppRegistration, Failed, Job, Progress, Retry, State
from bot.remediation.graph_calls import CALLS, Refused
from bot.remediation.wire import excerpt, retry_after, token_failure


class GraphActions:
    kinds = frozenset(CALLS)
    repeatable = kinds

    def __init__(self, http: aiohttp.ClientSession, graph_url: str, login_url: str):
        self._http, self._graph_url, self._login_url = http, graph_url, login_url.rstrip("/")
        self._clients: dict[AppRegistration, tuple[GraphServiceClient, httpx.AsyncClient]] = {}

    def _client(self, app: AppRegistration) -> GraphServiceClient:
        if app not in self._clients:
            token_url = f"{self._login_url}/{app.aad_tenant}/oauth2/v2.0/token"
            credentials = ClientCredentials(self._http, token_url, app.client_id, app.secret)
            self._clients[app] = graph_client(GraphCredential(credentials), self._graph_url)
        return self._clients[app][0]

    async def launch(self, job: Job) -> Progress:
        call = CALLS.get(job.kind)
        if call is None:
            raise Failed(f"Microsoft Graph carries out no {job.kind}")
        client = self._client(jobs.app(job))
        try:
            done = await call(client, job)
        except TokenError as error:
            raise token_failure(error) from None
        except Refused as refused:
            raise failure(job, refused) from None
        except httpx.HTTPError as error:
            raise Retry(f"Microsoft Graph could not be reached ({type(error).__name__})") from None
        return Progress(State.SUCCEEDED, done.request_id, done.detail)

    async def poll(self, job: Job) -> Progress:
        """Nothing to follow: a Graph call is done when it is answered."""
        return Progress(State.SUCCEEDED, job.external_id)

    async def close(self) -> None:
        clients, self._clients = self._clients, {}
        for _client, transport in clients.values():
            await transport.aclose()


def _words(error: APIError) -> str:
    """'403 Authorization_RequestDenied: Insufficient privileges ...' from Graph's error."""
    status = error.response_status_code
    main = error.error if isinstance(error, ODataError) else None
    said = ": ".join(excerpt(part) for part in (main.code, main.message) if part) if main else ""
    return f"{status} {said}" if said else f"HTTP {status}"


def _header(error: APIError, name: str) -> str | None:
    for key, value in (error.response_headers or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def _missing(job: Job) -> str:
    if job.kind == "graph.close_alert":
        return f"security alert {job.target.get('alert')} does not exist in Microsoft Graph (404)"
    return (f"{job.target.get('user')} does not exist in the customer's directory "
            "(Microsoft Graph 404)")


def failure(job: Job, refused: Refused) -> Failed | Retry:
    """Graph's error in the executors' terms: throttled or down is tried again; a 403
    names the permission to grant; a 404 names what does not exist."""
    error, status = refused.error, refused.error.response_status_code or 0
    if status == 429 or status >= 500:
        return Retry(f"Microsoft Graph answered {_words(error)}",
                     retry_after(_header(error, "Retry-After")))
    if status == 403:
        return Failed(f"Microsoft Graph refused ({_words(error)}); grant the app registration "
                      f"{refused.permission}")
    if status == 404:
        return Failed(_missing(job))
    return Failed(f"Microsoft Graph refused ({_words(error)})")
