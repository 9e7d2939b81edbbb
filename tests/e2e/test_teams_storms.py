"""Storm cards on Teams, end to end on SQLite and PostgreSQL: the storm card is one
Adaptive Card updated in place; its Claim answers the clicker with a message (they
keep the storm card) and its Open posts the alert's own card in the channel."""

import pytest

from bot.outbox.dispatcher import Dispatcher
from bot.teams.sender import CARD_TYPE, TEAMS_PACING
from cards import actions as A
from cards.escape import unmarkdown
from tests.bot.teams.conftest import CHANNEL
from tests.bot.teams.test_sender import install
from tests.cards.checks import check_adaptive_card
from tests.fixed import Fixed
from tests.storms import THRESHOLD, arrive, storm_config


@pytest.fixture
def cfg(tmp_path):
    return storm_config(tmp_path)


def _posts(teams, kind: str = "send") -> list[dict]:
    return [c for c in teams.connector.sent(kind) if c["conversation"] == CHANNEL]


def _card(call: dict) -> dict:
    attachment = call["body"]["attachments"][0]
    assert attachment["contentType"] == CARD_TYPE
    return attachment["content"]


def _storms(teams) -> list[dict]:
    return [c for c in _posts(teams) if _card(c)["body"][0]["text"].startswith("🌩")]


async def test_storm_card_on_teams_claim_and_open(teams, db, cfg):
    await install(teams)
    dispatcher = Dispatcher(db, Fixed(cfg))
    dispatcher.add_sender(teams.teams.sender, TEAMS_PACING)
    await arrive(db, cfg, "prometheus", [f"disk {i}" for i in range(THRESHOLD)])
    first, second = await arrive(db, cfg, "prometheus", ["*disk* 3", "disk 4"])
    await dispatcher.drain()
    [storm] = _storms(teams)
    assert len(_posts(teams)) == THRESHOLD + 1
    card = _card(storm)
    check_adaptive_card(card)
    rows = [b["items"] for b in card["body"] if b["type"] == "Container"]
    [titled] = [items for items in rows if first in items[0]["text"]]
    assert "\\*disk\\* 3" in titled[0]["text"] and "*disk* 3" in unmarkdown(titled[0]["text"])
    claim = titled[1]["actions"][0]
    assert claim["verb"] == A.CLAIM

    status, body = await teams.post(teams.click(first, 1, A.CLAIM, storm=claim["data"]["storm"]))
    assert status == 200 and body["type"] == "application/vnd.microsoft.activity.message"
    await dispatcher.drain()
    update = _posts(teams, "update")[-1]
    assert update["activity_id"] == storm["id"] and "Sam Okafor" in str(_card(update))

    status, body = await teams.post(teams.click(second, 1, A.OPEN))
    assert status == 200 and f"{second} gets its own card here." in str(body)
    await dispatcher.drain()
    own = [c for c in _posts(teams) if second in _card(c)["body"][0]["text"]
           and not _card(c)["body"][0]["text"].startswith("🌩")]
    assert len(own) == 1 and len(_storms(teams)) == 1
