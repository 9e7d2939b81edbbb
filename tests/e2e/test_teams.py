"""End to end: intake -> outbox dispatcher -> Teams card; a click -> every channel's card.

The real dispatcher drives the real senders; the Bot Connector and the Slack Web API
are fakes on loopback that record what would have reached Teams and Slack.
"""

from slack_sdk.web.async_client import AsyncWebClient

from bot.outbox.dispatcher import Dispatcher
from bot.outbox.pacing import Pacing
from bot.slack.sender import SlackSender
from bot.teams.sender import CARD_TYPE, TEAMS_PACING
from cards import actions as A
from fakes.slack.api import TOKEN, FakeSlack
from tests.bot.teams.conftest import CHANNEL
from tests.bot.teams.test_invoke import facts, notice
from tests.bot.teams.test_sender import install
from tests.cards.checks import check_adaptive_card
from tests.conftest import new_alert
from tests.fixed import Fixed


def _card(call: dict) -> dict:
    attachment = call["body"]["attachments"][0]
    assert attachment["contentType"] == CARD_TYPE
    return attachment["content"]


async def test_alert_is_posted_then_replaced_after_a_claim(teams, db, cfg):
    await install(teams)
    dispatcher = Dispatcher(db, Fixed(cfg))
    dispatcher.add_sender(teams.teams.sender, TEAMS_PACING)
    db.wake_outbox = dispatcher.wake
    short = await new_alert(db, cfg, title="Disk full on db-1")
    await dispatcher.drain()
    posts = [c for c in teams.connector.sent("send") if c["conversation"] == CHANNEL]
    assert len(posts) == 1
    card = _card(posts[0])
    check_adaptive_card(card)
    assert short in card["body"][0]["text"] and A.CLAIM in [a["verb"] for a in card["actions"]]

    status, body = await teams.post(teams.click(short, 1, A.CLAIM))
    assert status == 200 and "Sam Okafor" in facts(body["value"])["Owner"]
    await dispatcher.drain()
    update = teams.connector.sent("update")[-1]
    assert (update["conversation"], update["activity_id"]) == (CHANNEL, posts[0]["id"])
    assert "Sam Okafor" in facts(_card(update))["Owner"]
    assert teams.connector.sent("reply")[-1]["body"]["text"].startswith(
        "Sam Okafor (internal) claimed")
    assert len([c for c in teams.connector.sent("send") if c["conversation"] == CHANNEL]) == 1


async def test_both_platforms_show_the_same_owner(teams, db, cfg):
    await install(teams)
    slack = FakeSlack()
    await slack.start()
    try:
        dispatcher = Dispatcher(db, Fixed(cfg))
        dispatcher.add_sender(teams.teams.sender, TEAMS_PACING)
        client = AsyncWebClient(token=TOKEN, base_url=slack.url, retry_handlers=[])
        dispatcher.add_sender(SlackSender(client), Pacing(per_second=50))
        short = await new_alert(db, cfg)
        await dispatcher.drain()
        assert len(slack.card_for("C0OPS", short)) == 1

        await teams.post(teams.click(short, 1, A.CLAIM))
        refused = (await teams.post(teams.click(short, 2, A.CLAIM, aad="aad-other")))[1]
        assert refused["value"].startswith("Tandem does not know")
        await dispatcher.drain()

        teams_owner = facts(_card(teams.connector.sent("update")[-1]))["Owner"]
        slack_card = slack.card_for("C0OPS", short)[0]
        slack_text = str(slack_card["blocks"])
        assert "Sam Okafor" in teams_owner and "Sam Okafor" in slack_text
        assert "edited" in slack_card
    finally:
        await slack.close()


async def test_refused_claim_leaves_the_channel_card_alone(teams, db, cfg):
    await install(teams)
    dispatcher = Dispatcher(db, Fixed(cfg))
    dispatcher.add_sender(teams.teams.sender, TEAMS_PACING)
    short = await new_alert(db, cfg)
    await teams.post(teams.click(short, 1, A.CLAIM))
    await dispatcher.drain()
    updates = len(teams.connector.sent("update"))
    click = teams.click(short, 2, A.CLAIM, aad="aad-lee")
    click["from"]["userPrincipalName"] = "lee@acme.example"
    body = (await teams.post(click))[1]
    assert notice(body["value"]) == f"{short} is already claimed by Sam Okafor (internal)."
    await dispatcher.drain()
    assert len(teams.connector.sent("update")) == updates  # the refusal went to Lee only
