"""The monthly report reaches Teams as a card with a signed, expiring link that the running
app serves: the real app (bot.app.build_app) against the fake Bot Connector, on SQLite
and PostgreSQL. A link whose signature, expiry or report id was tampered with gets 403."""

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy import select

from bot import report_links as L
from bot.app import build_app
from bot.outbox.dispatcher import Dispatcher
from bot.runtime import Runtime
from bot.teams.sender import CARD_TYPE, TEAMS_PACING
from handlers.evidence import delivery
from storage import outbox_admin
from storage.db import connect
from storage.outbox_models import Outbox
from tests.cards.checks import check_adaptive_card
from tests.conftest import NOW
from tests.fixed import Fixed
from tests.handlers.evidence_delivery.helpers import DUE, PDF, Maker, alert_at

from .conftest import CHANNEL, bench, settings_for
from .test_sender import install

PUBLIC = "https://tandem.example/ops"
SECRET = "k" * 40
LINKS = L.ReportLinks(SECRET.encode(), PUBLIC, timedelta(days=7))


def _report_card(connector) -> dict | None:
    for call in connector.sent("send"):
        for attachment in call["body"].get("attachments") or []:
            if attachment["content"].get("actions", [{}])[0].get("type") == "Action.OpenUrl":
                assert call["conversation"] == CHANNEL
                assert attachment["contentType"] == CARD_TYPE
                return attachment["content"]
    return None


def _local(url: str) -> str:
    """The link's path and query on the test server (the public address is a proxy's,
    which serves the app under /ops)."""
    assert url.startswith(f"{PUBLIC}/reports/")
    return url.removeprefix(PUBLIC)


async def _get(client, path: str) -> tuple[int, bytes, dict]:
    async with client.get(path) as response:
        return response.status, await response.read(), dict(response.headers)


async def test_the_card_links_to_the_pdf_the_app_serves(db, cfg):
    async with bench(db, cfg) as fakes:
        settings = settings_for(fakes.connector, fakes.identity).model_copy(update={
            "outbox_poll_seconds": 0.05, "public_url": PUBLIC, "link_secret": SecretStr(SECRET)})
        async with TestClient(TestServer(build_app(Runtime(settings, cfg, db)))) as client:
            fakes.server = client.server
            await install(fakes)
            await alert_at(db, cfg, NOW)
            assert await delivery.send_due(db, cfg, "acme", DUE, Maker()) == 2
            await _until(fakes.connector)
            card = _report_card(fakes.connector)
            check_adaptive_card(card)
            assert card["body"][0]["text"] == "📄 Incident-response report for November 2026"
            [action] = card["actions"]
            assert action["title"] == "Download the report (PDF)"
            url = action["url"]
            query = parse_qs(urlsplit(url).query)
            expires = datetime.fromtimestamp(int(query["expires"][0]), UTC)
            assert abs(expires - (datetime.now(UTC) + timedelta(days=7))) < timedelta(minutes=1)
            status, body, headers = await _get(client, _local(url))
            assert (status, body) == (200, PDF)
            assert headers["Content-Type"] == "application/pdf"
            assert headers["Content-Disposition"] == (
                'attachment; filename="tandem-report-acme-2026-11.pdf"')
            assert headers["Cache-Control"] == "no-store"
            await _refusals(client, url)


async def _until(connector) -> None:
    for _ in range(500):
        if _report_card(connector):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("no report card reached the Bot Connector")


async def _refusals(client, url: str) -> None:
    path = _local(url)
    report_id = urlsplit(url).path.rsplit("/", 1)[1]
    sig = parse_qs(urlsplit(url).query)["sig"][0]
    forged = path.replace(sig, ("0" if sig[0] != "0" else "1") + sig[1:])
    other = path.replace(report_id, "B" * len(report_id))
    expired, _ = LINKS.url(report_id, datetime.now(UTC) - timedelta(days=8))
    unknown, _ = LINKS.url("C" * 32, datetime.now(UTC))
    later = path.replace(parse_qs(urlsplit(url).query)["expires"][0], "99999999999")
    cases = {
        forged: (403, L.FORGED), other: (403, L.FORGED), later: (403, L.FORGED),
        _local(expired): (403, L.EXPIRED), _local(unknown): (404, L.UNKNOWN),
        path.split("?")[0]: (403, L.FORGED), f"{path}%ff": (403, L.FORGED),
        path.replace("expires=", "expires=-"): (403, L.FORGED),
        f"/reports/{'é' * 20}?expires=1&sig={sig}": (403, L.FORGED),
    }
    for bad, (status, sentence) in cases.items():
        got, body, _ = await _get(client, bad)
        assert (got, body.decode()) == (status, sentence), bad


async def test_without_a_link_secret_the_row_waits_as_failed_until_retried(teams, db, cfg):
    await install(teams)
    await alert_at(db, cfg, NOW)
    assert await delivery.send_due(db, cfg, "acme", DUE, Maker()) == 2
    sender = teams.teams.sender
    assert sender.links is None  # the bench sets neither TANDEM_PUBLIC_URL nor the secret
    dispatcher = Dispatcher(db, Fixed(cfg))
    dispatcher.add_sender(sender, TEAMS_PACING)
    await dispatcher.drain()
    async with db.read() as session:
        row = (await session.execute(select(Outbox).where(
            Outbox.kind == "report", Outbox.platform == "teams"))).scalar_one()
    assert row.failed_at is not None and "TANDEM_LINK_SECRET" in row.last_error
    assert _report_card(teams.connector) is None
    sender.links = LINKS  # the operator sets both and re-queues the row
    assert await outbox_admin.retry(db, None, datetime.now(UTC)) == [row.id]
    await dispatcher.drain()
    assert _report_card(teams.connector)["actions"][0]["url"].startswith(f"{PUBLIC}/reports/")
    await dispatcher.close()


async def test_teams_without_links_warns_at_start_up(sqlite_db, cfg, caplog):
    caplog.set_level(logging.WARNING, "tandem.teams")
    async with bench(sqlite_db, cfg) as fakes:
        settings = settings_for(fakes.connector, fakes.identity)
        async with TestClient(TestServer(build_app(Runtime(settings, cfg, sqlite_db)))) as client:
            status, body, _ = await _get(client, "/reports/" + "A" * 32 + "?expires=1&sig=00")
    assert (status, body.decode()) == (403, L.OFF)
    assert "TANDEM_LINK_SECRET is not set" in caplog.text


async def test_a_database_that_is_away_gets_503_not_500():
    away = connect("postgresql://postgres@127.0.0.1:1/tandem")  # nothing listens there
    app = web.Application()
    app.router.add_get(L.ROUTE, L.downloads(away, LINKS))
    url, _ = LINKS.url("A" * 32, datetime.now(UTC))
    try:
        async with TestClient(TestServer(app)) as client:
            status, body, _ = await _get(client, _local(url))
    finally:
        await away.dispose()
    assert (status, body.decode()) == (503, L.AWAY)
