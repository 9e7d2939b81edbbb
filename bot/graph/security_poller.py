"""Polls Microsoft Graph security alerts (alerts_v2) into intake, per tenant.

msgraph-sdk builds and authenticates the requests and retries throttling (HTTP 429,
honouring Retry-After); Tandem reads each page's raw JSON with its own parser
(bot/sources/graph.py), so Graph alerts go through the same pure parsing path as
webhooks. The cursor (newest lastUpdateDateTime seen) is saved in the same
transaction as the page's alerts: a crash replays at most one page, and replays
deduplicate by Graph alert id.
"""

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.serialization import ParsableFactory
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.security.alerts_v2.alerts_v2_request_builder import (
    Alerts_v2RequestBuilder,
)
from msgraph.graph_service_client import GraphServiceClient

from bot.metrics import Metrics
from bot.sources import graph
from bot.sources.fields import parse_time
from handlers.config import TandemConfig
from handlers.intake import AlertIn, PayloadError, ingest
from storage.db import Database
from storage.models import SourceCursor

log = logging.getLogger(__name__)
PAGE_SIZE = 100
CURSOR = "graph.alerts_v2"
_ERRORS: dict[str, type[ParsableFactory]] = {"XXX": ODataError}


@dataclass(frozen=True)
class PollResult:
    pages: int
    alerts: int
    cursor: str


def _first_request(client: GraphServiceClient, cursor: str):
    query = Alerts_v2RequestBuilder.Alerts_v2RequestBuilderGetQueryParameters(
        top=PAGE_SIZE, filter=f"lastUpdateDateTime gt {cursor}" if cursor else None
    )
    config = RequestConfiguration(query_parameters=query)
    return client.security.alerts_v2.to_get_request_information(config)


def _parse(items: list[dict]) -> list[AlertIn]:
    """One malformed alert is logged and skipped; it must not stall the whole feed."""
    parsed = []
    for item in items:
        try:
            parsed.append(graph.parse_alert(item))
        except PayloadError as error:
            log.warning("graph alert %s skipped: %s", item.get("id", "?"), error)
    return parsed


def _when(stamp: object) -> datetime | None:
    try:
        return parse_time(stamp) if isinstance(stamp, str) and stamp else None
    except ValueError:
        return None


def _newest(stamps: list) -> str:
    """The latest timestamp, kept in Graph's own spelling for the next $filter."""
    dated = [(when, s) for s in stamps if (when := _when(s)) is not None]
    return max(dated)[1] if dated else ""


class SecurityPoller:
    def __init__(
        self,
        db: Database,
        cfg: TandemConfig,
        tenant_id: str,
        client: GraphServiceClient,
        transport: httpx.AsyncClient,
        every: timedelta = timedelta(minutes=1),
        clock: Callable[[], datetime] | None = None,
        metrics: Metrics | None = None,
    ):
        self._db, self._cfg, self._tenant = db, cfg, cfg.known_tenant(tenant_id)
        self._client, self._transport = client, transport
        self.every = every
        self._clock = clock or (lambda: datetime.now(UTC))
        self._metrics = metrics or Metrics()

    @property
    def tenant_id(self) -> str:
        return self._tenant.id

    async def close(self) -> None:
        await self._transport.aclose()

    async def _cursor(self) -> str:
        async with self._db.unit() as uow:
            session = await uow.session()
            row = await session.get(SourceCursor, (self._tenant.id, CURSOR))
            return row.value if row else ""

    async def _fetch(self, request) -> dict:
        raw: bytes | None = await self._client.request_adapter.send_primitive_async(
            request, "bytes", _ERRORS)
        page = json.loads(raw or b"{}")
        return page if isinstance(page, dict) else {}

    async def _store(self, page: dict, cursor: str) -> tuple[int, str]:
        items = [i for i in page.get("value") or [] if isinstance(i, dict)]
        alerts = _parse(items)
        newest = _newest([cursor, *(i.get("lastUpdateDateTime") for i in items)])
        async with self._db.unit() as unit:
            for alert in alerts:
                await ingest(unit, self._cfg, self._tenant, alert, self._clock())
            session = await unit.session()
            row = await session.get(SourceCursor, (self._tenant.id, CURSOR))
            if row is None:
                session.add(SourceCursor(tenant_id=self._tenant.id, source=CURSOR, value=newest))
            else:
                row.value = newest
        return len(alerts), newest

    async def poll(self) -> PollResult:
        """Fetch every alert updated since the cursor, following @odata.nextLink; each
        poll counted by outcome (ok, failed) and timed."""
        started = time.perf_counter()
        try:
            result = await self._poll()
        except Exception:
            self._count("failed", started)
            raise
        self._count("ok", started)
        return result

    def _count(self, outcome: str, started: float) -> None:
        self._metrics.graph_polls.labels(self._tenant.id, outcome).inc()
        self._metrics.graph_poll_seconds.labels(self._tenant.id).observe(
            time.perf_counter() - started)

    async def _poll(self) -> PollResult:
        cursor = await self._cursor()
        request, pages, total = _first_request(self._client, cursor), 0, 0
        while request is not None:
            page = await self._fetch(request)
            count, cursor = await self._store(page, cursor)
            pages, total = pages + 1, total + count
            next_link = page.get("@odata.nextLink")
            request = (
                self._client.security.alerts_v2.with_url(next_link).to_get_request_information()
                if next_link
                else None
            )
        log.info("graph poll %s: %d alerts in %d pages", self._tenant.id, total, pages)
        return PollResult(pages, total, cursor)
