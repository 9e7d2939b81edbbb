"""GET /events: a server-sent event stream saying which alerts of the reader's tenants
changed, whoever changed them; nothing about another tenant's. SQLite and PostgreSQL."""

import asyncio
import json

import aiohttp

from handlers.commands import Identity
from handlers.enums import Verb
from tests.handlers.console.helpers import GINA, SAM, alert, run

STREAM = {"Accept": "text/event-stream"}


async def next_event(response: aiohttp.ClientResponse, timeout: float = 3.0
                     ) -> tuple[str, dict] | None:
    """The stream's next event as (name, data); None if none comes within `timeout`."""
    name, data = "message", {}
    try:
        async with asyncio.timeout(timeout):
            while line := (await response.content.readline()).decode():
                if line.startswith("event: "):
                    name = line[7:].strip()
                elif line.startswith("data: "):
                    data = json.loads(line[6:])
                elif line == "\n" and name != "message":
                    return name, data
    except TimeoutError:
        return None
    return None


async def test_a_change_made_anywhere_reaches_the_stream_of_its_tenants_people(site):
    short = await alert(site.db, site.cfg, "acme")
    globex = await alert(site.db, site.cfg, "globex")
    sam = await site.signed_in("sam@acme.example")
    async with sam.http.get(sam.url("/events"), headers=STREAM) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/event-stream"
        assert await next_event(response) == ("ready", {})
        await run(site.db, site.cfg, Verb.CLAIM, globex, GINA)  # another tenant: never said
        await run(site.db, site.cfg, Verb.CLAIM, short, SAM)
        assert await next_event(response) == ("change", {"alerts": [short], "tenants": ["acme"]})
        assert await next_event(response, 0.8) is None


async def test_another_tenants_person_hears_nothing_of_it(site):
    short = await alert(site.db, site.cfg, "acme")
    gina = await site.signed_in("gina@globex.example")
    async with gina.http.get(gina.url("/events"), headers=STREAM) as response:
        assert await next_event(response) == ("ready", {})
        await run(site.db, site.cfg, Verb.CLAIM, short, SAM)
        await run(site.db, site.cfg, Verb.RESOLVE, short, SAM, note="done")
        assert await next_event(response, 1.5) is None


async def test_the_stream_needs_a_signed_in_person(site):
    async with aiohttp.ClientSession() as anonymous, anonymous.get(
            f"{site.public}/events", headers=STREAM) as response:
        assert response.status == 401


async def test_a_reload_that_changes_the_readers_tenants_reloads_the_page(site):
    short = await alert(site.db, site.cfg, "acme")
    sam = await site.signed_in("sam@acme.example")
    async with sam.http.get(sam.url("/events"), headers=STREAM) as response:
        assert await next_event(response) == ("ready", {})
        cfg = site.runtime.cfg
        people = [p.model_copy(update={"tenants": ["globex"]}) if p.email == "sam@acme.example"
                  else p for p in cfg.people]
        await site.runtime.swap(2, cfg.model_copy(update={"people": people}))
        await run(site.db, site.cfg, Verb.CLAIM, short, Identity(email="lee@acme.example"))
        assert await next_event(response) == ("reload", {})


async def test_stopping_the_app_ends_open_streams_at_once(site):
    sam = await site.signed_in("sam@acme.example")
    async with sam.http.get(sam.url("/events"), headers=STREAM) as response:
        assert await next_event(response) == ("ready", {})
        async with asyncio.timeout(5):  # not the heartbeat's 15 s, nor the shutdown's
            await site.server.close()
            assert await response.content.read() == b""
