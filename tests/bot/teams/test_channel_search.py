"""A Teams card posted before a crash is found in the channel through Graph, not posted twice."""

from dataclasses import replace
from datetime import UTC, datetime

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.metrics import Metrics
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.sender import ReportFile, Transient
from bot.teams.mount import build
from bot.teams.sender import TEAMS_PACING
from fakes.botframework.connector import APP_ID
from handlers.people.operator import Operator
from handlers.reads import scoped
from storage import outbox as outbox_store
from storage.outbox_models import MessageRef
from tests.conftest import new_alert
from tests.fixed import Fixed

from .conftest import CHANNEL, GROUP, settings_for
from .test_sender import install


def mirror(bench) -> None:
    """What Teams shows: every card the connector accepted, listed again by Graph."""
    for call in bench.connector.sent("send"):
        for attachment in call["body"].get("attachments") or ():
            bench.identity.post_in_channel(GROUP, call["conversation"], call["id"], APP_ID,
                                           attachment["content"])


async def _posted(bench, db, cfg) -> tuple[str, str]:
    short = await new_alert(db, cfg)
    view = await scoped.show_alert(db, cfg, Operator(), short)
    return short, await bench.teams.sender.post_card(CHANNEL, view)


async def test_a_fresh_process_finds_the_card_through_graph(teams, db, cfg):
    await install(teams)
    short, ref = await _posted(teams, db, cfg)
    other, _ = await _posted(teams, db, cfg)
    mirror(teams)
    teams.identity.post_in_channel(GROUP, CHANNEL, "999", "another-app",
                                   teams.connector.sent("send")[0]["body"]["attachments"][0]
                                   ["content"])
    async with aiohttp.ClientSession() as http:
        fresh = build(http, settings_for(teams.connector, teams.identity), db, Fixed(cfg),
                      Metrics()).sender
        assert await fresh.find_card(CHANNEL, short) == ref
        assert await fresh.find_card(CHANNEL, "ACME-99999") is None
    assert teams.identity.message_requests[-1] == (GROUP, CHANNEL)


@pytest.mark.parametrize(("statuses", "outcome"), [
    ([403], None), ([404], None),  # no consent, or no such team: post without a search
    ([500], Transient),  # Graph failing: wait and retry, since posting blind could duplicate
])
async def test_graph_refusing_or_failing(teams_sqlite, sqlite_db, cfg, statuses, outcome):
    await install(teams_sqlite)
    short, _ = await _posted(teams_sqlite, sqlite_db, cfg)
    mirror(teams_sqlite)
    teams_sqlite.identity.message_failures.extend(statuses)
    async with aiohttp.ClientSession() as http:
        fresh = build(http, settings_for(teams_sqlite.connector, teams_sqlite.identity),
                      sqlite_db, cfg, Metrics()).sender
        if outcome is Transient:
            with pytest.raises(Transient):
                await fresh.find_card(CHANNEL, short)
        else:
            assert await fresh.find_card(CHANNEL, short) is None


async def test_a_restart_after_an_accepted_post_does_not_post_again(teams, db, cfg):
    """The in-flight mark committed, Teams accepted the card, then the process died
    before recording its id: the next process finds it and updates it in place."""
    await install(teams)
    short = await new_alert(db, cfg)
    view = await scoped.show_alert(db, cfg, Operator(), short)
    unit = outbox_store.Unit("teams", CHANNEL, "card", alert_id=view.id)
    await outbox_store.mark_inflight(db, unit, datetime.now(UTC))
    ref = await teams.teams.sender.post_card(CHANNEL, view)
    mirror(teams)
    async with aiohttp.ClientSession() as http:
        restarted = build(http, settings_for(teams.connector, teams.identity), db, Fixed(cfg),
                          Metrics())
        dispatcher = Dispatcher(db, Fixed(cfg))
        dispatcher.add_sender(restarted.sender, TEAMS_PACING)
        await dispatcher.drain()
    assert len([c for c in teams.connector.sent("send") if c["conversation"] == CHANNEL]) == 1
    assert teams.connector.sent("update")[-1]["activity_id"] == ref
    async with db.unit() as uow:
        session = await uow.session()
        assert (await session.execute(select(MessageRef.ref))).scalar_one() == ref


async def _never_read() -> bytes:
    raise AssertionError("a Teams report card carries a link, never the PDF's bytes")


async def test_a_report_card_already_posted_is_found_through_graph(teams, db, cfg):
    """An attempt posted the monthly report's card, but its answer was lost (or its
    replica died): a fresh process finds the card through Graph by the report its link
    opens (bot/outbox/reports.py then posts nothing); another report's card is not it."""
    await install(teams)
    settings = settings_for(teams.connector, teams.identity).model_copy(update={
        "public_url": "https://tandem.example/ops", "link_secret": SecretStr("k" * 40)})
    report = ReportFile("rep-1", "acme", "Acme Ltd", "Europe/London", "2026-11", 3,
                        _never_read)
    queued = datetime.now(UTC)
    async with aiohttp.ClientSession() as http:
        await build(http, settings, db, Fixed(cfg), Metrics()).sender.post_report(CHANNEL,
                                                                                  report)
        mirror(teams)
        fresh = build(http, settings, db, Fixed(cfg), Metrics()).sender
        assert await fresh.find_report(CHANNEL, report, queued)
        assert not await fresh.find_report(CHANNEL, replace(report, id="rep-10"), queued)
    assert len(teams.connector.sent("send")) == 1
