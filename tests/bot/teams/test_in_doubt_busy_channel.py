"""A Teams card left in doubt by a crash is posted exactly once however busy the channel
was since: the search pages through Graph back to the in-flight mark, and no further."""

import logging
from datetime import UTC, datetime, timedelta

import aiohttp
from sqlalchemy import select

from bot.metrics import Metrics
from bot.outbox.dispatcher import Dispatcher
from bot.teams import channel_search
from bot.teams.mount import build
from bot.teams.sender import TEAMS_PACING
from fakes.botframework.connector import APP_ID
from handlers.people.operator import Operator
from handlers.reads import scoped
from storage import outbox as outbox_store
from storage.outbox_models import MessageRef, Outbox
from tests.conftest import new_alert
from tests.fixed import Fixed

from .conftest import CHANNEL, GROUP, settings_for
from .test_sender import install

LATER = 1200  # messages posted in the channel after the in-doubt card


async def _in_doubt(bench, db, cfg, posted: bool) -> tuple[datetime, str | None]:
    """Mark the alert's card in flight (and let Teams accept it when `posted`), as a
    process killed before recording the card's id leaves it."""
    await install(bench)
    view = await scoped.show_alert(db, cfg, Operator(), await new_alert(db, cfg))
    marked = datetime.now(UTC) - timedelta(minutes=10)
    bench.identity.post_in_channel(GROUP, CHANNEL, "old-1", None, text="before the mark",
                                   at=marked - timedelta(hours=1))
    await outbox_store.mark_inflight(db, outbox_store.Unit("teams", CHANNEL, "card",
                                                           alert_id=view.id), marked)
    ref = await bench.teams.sender.post_card(CHANNEL, view) if posted else None
    for call in bench.connector.sent("send"):  # Teams shows the card a minute after the mark
        for attachment in call["body"].get("attachments") or ():
            bench.identity.post_in_channel(GROUP, CHANNEL, call["id"], APP_ID,
                                           attachment["content"],
                                           at=marked + timedelta(minutes=1))
    for i in range(LATER):
        bench.identity.post_in_channel(GROUP, CHANNEL, f"later-{i}", None, text=f"chat {i}",
                                       at=marked + timedelta(minutes=2, milliseconds=i))
    for i in range(500):  # older than the mark: never read
        bench.identity.post_in_channel(GROUP, CHANNEL, f"old-{i + 2}", None, text="older",
                                       at=marked - timedelta(days=1, seconds=i))
    return marked, ref


async def _restart(bench, db, cfg) -> None:
    async with aiohttp.ClientSession() as http:
        restarted = build(http, settings_for(bench.connector, bench.identity), db, Fixed(cfg),
                          Metrics())
        dispatcher = Dispatcher(db, Fixed(cfg))
        dispatcher.add_sender(restarted.sender, TEAMS_PACING)
        await dispatcher.drain()


def _cards(bench) -> list[dict]:
    return [c for c in bench.connector.sent("send") if c["conversation"] == CHANNEL]


async def test_an_accepted_card_behind_1200_messages_is_found_not_posted_again(teams, db, cfg):
    _, ref = await _in_doubt(teams, db, cfg, posted=True)
    await _restart(teams, db, cfg)
    assert len(_cards(teams)) == 1
    assert teams.connector.sent("update")[-1]["activity_id"] == ref
    pages = teams.identity.message_queries
    assert len(pages) == LATER // 50 + 1 and all(q["$top"] == "50" for q in pages)
    async with db.unit() as uow:
        session = await uow.session()
        assert (await session.execute(select(MessageRef.ref))).scalar_one() == ref


async def test_a_card_never_sent_is_posted_once_after_reading_back_to_the_mark(teams, db, cfg):
    """1,200 later messages, none of them the card: Graph is paged until a page reaches
    before the in-flight mark, the older 500 messages are not read, the card is posted."""
    await _in_doubt(teams, db, cfg, posted=False)
    await _restart(teams, db, cfg)
    assert len(_cards(teams)) == 1
    # 1,200 newer messages fill 24 pages; the 25th reaches back before the mark
    assert len(teams.identity.message_queries) == LATER // 50 + 1
    assert len(teams.identity.channel_messages[(GROUP, CHANNEL)]) > 26 * 50


async def test_a_search_that_hits_the_page_cap_does_not_post(teams_sqlite, sqlite_db, cfg,
                                                            caplog, monkeypatch):
    monkeypatch.setattr(channel_search, "MAX_PAGES", 3)
    await _in_doubt(teams_sqlite, sqlite_db, cfg, posted=False)
    with caplog.at_level(logging.WARNING):
        await _restart(teams_sqlite, sqlite_db, cfg)
    assert _cards(teams_sqlite) == []
    assert len(teams_sqlite.identity.message_queries) == 3
    assert any("did not reach back" in r.getMessage() for r in caplog.records)
    async with sqlite_db.unit() as uow:
        session = await uow.session()
        row = (await session.execute(select(Outbox).where(Outbox.platform == "teams"))).scalar_one()
    assert row.failed_at is not None and "in doubt" in row.last_error
