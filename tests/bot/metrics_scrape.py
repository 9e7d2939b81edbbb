"""Reading /metrics as Prometheus does, for the observability tests."""

import aiohttp
from aiohttp.test_utils import TestServer
from prometheus_client.parser import text_string_to_metric_families


async def scrape(server: TestServer) -> dict:
    """GET /metrics from the app on `server`, as samples()."""
    async with aiohttp.ClientSession() as http, http.get(server.make_url("/metrics")) as answer:
        assert answer.status == 200
        return samples(await answer.text())


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """{(sample name, its labels): value} of one scrape."""
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(scrape: dict, name: str, **labels: str) -> float | None:
    return scrape.get((name, frozenset(labels.items())))
