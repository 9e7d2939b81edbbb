"""Microsoft Graph look-ups of people Tandem's configuration does not list by AAD object id.

`users/{id}` gives `mail` and `userPrincipalName`; either may match a configured email.
Answers, misses included, are cached for a while so a busy card does not hammer Graph.
A failed look-up (Graph down, throttled) is not cached: the next click tries again.
"""

import logging
import time
from collections.abc import Callable

import httpx
from kiota_abstractions.api_error import APIError
from msgraph.graph_service_client import GraphServiceClient

log = logging.getLogger(__name__)
TTL = 600.0


class Directory:
    def __init__(self, graph: tuple[GraphServiceClient, httpx.AsyncClient] | None,
                 ttl: float = TTL, clock: Callable[[], float] = time.monotonic):
        self._client: GraphServiceClient | None = graph[0] if graph else None
        self._http: httpx.AsyncClient | None = graph[1] if graph else None
        self._ttl, self._clock = ttl, clock
        self._cache: dict[str, tuple[float, tuple[str, ...]]] = {}

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    async def emails(self, aad_object_id: str) -> tuple[str, ...]:
        """The person's mail and UPN (lower-cased, deduplicated); () when unknown."""
        if self._client is None or not aad_object_id:
            return ()
        hit = self._cache.get(aad_object_id)
        if hit and hit[0] > self._clock():
            return hit[1]
        try:
            user = await self._client.users.by_user_id(aad_object_id).get()
        except APIError as error:
            if error.response_status_code != 404:
                log.warning("Graph user look-up failed: HTTP %s", error.response_status_code)
                return ()
            user = None
        except Exception as error:  # network or parsing: Graph is best-effort here
            log.warning("Graph user look-up failed: %s", type(error).__name__)
            return ()
        found = tuple(dict.fromkeys(
            e.strip().lower() for e in (user.mail, user.user_principal_name) if e and "@" in e
        )) if user else ()
        self._cache[aad_object_id] = (self._clock() + self._ttl, found)
        return found
