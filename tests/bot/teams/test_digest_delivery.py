"""The digest reaches Teams: the Teams sender against the fake Bot Connector."""

import pytest

from bot.teams.sender import CARD_TYPE
from cards.digest import render_teams, summary
from handlers.digest import build as digest
from tests.bot.teams.conftest import CHANNEL, bench
from tests.bot.teams.test_sender import install
from tests.cards.checks import check_adaptive_card
from tests.handlers.digest import scenario


@pytest.fixture
async def teams(sqlite_db, cfg):
    async with bench(sqlite_db, cfg) as b:
        yield b


async def test_digest_card_is_posted_to_the_channel(teams, sqlite_db, cfg):
    await install(teams)
    await scenario.load(sqlite_db)
    async with sqlite_db.unit() as uow:
        session = await uow.session()
        view = await digest.build(session, cfg, cfg.tenant("acme"), scenario.SINCE,
                                  scenario.UNTIL)
    await teams.teams.sender.post_digest(CHANNEL, view)
    posted = teams.connector.sent("send")[-1]
    assert posted["conversation"] == CHANNEL
    assert posted["body"]["summary"] == summary(view)
    attachment = posted["body"]["attachments"][0]
    assert attachment["contentType"] == CARD_TYPE
    assert attachment["content"] == render_teams(view)
    check_adaptive_card(attachment["content"])
