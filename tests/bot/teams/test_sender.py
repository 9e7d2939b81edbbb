"""The Teams Sender against the fake Bot Connector: what reaches Teams, and how failures map."""

import pytest

from bot.outbox.sender import Permanent, RateLimited, Recipient, Transient
from bot.teams.sender import CARD_TYPE
from handlers.people.operator import Operator
from handlers.reads import scoped
from tests.cards.checks import check_adaptive_card
from tests.conftest import new_alert

from .conftest import BOT, CHANNEL, TEAM, TENANT


async def install(bench, channels=(CHANNEL, "19:general@thread.tacv2"),
                  by: str = "aad-sam") -> None:
    """Tandem added to the team (by the person with Entra id `by`): Teams sends
    conversationUpdate with the bot as new member."""
    bench.connector.channels[TEAM] = list(channels)
    update = bench.activity("conversationUpdate", by,
                            conversation={"id": "19:general@thread.tacv2",
                                          "conversationType": "channel", "tenantId": TENANT},
                            membersAdded=[{"id": BOT}, {"id": "29:lee", "aadObjectId": "aad-lee"}])
    status, body = await bench.post(update)
    assert status == 200, body


async def _view(db, cfg, short):
    return await scoped.show_alert(db, cfg, Operator(), short)


async def test_card_post_update_and_note_reach_the_connector(teams, db, cfg):
    await install(teams)
    view = await _view(db, cfg, await new_alert(db, cfg))
    sender = teams.teams.sender
    ref = await sender.post_card(CHANNEL, view)
    posted = teams.connector.sent("send")[-1]
    assert posted["conversation"] == CHANNEL and posted["id"] == ref
    attachment = posted["body"]["attachments"][0]
    assert attachment["contentType"] == CARD_TYPE
    check_adaptive_card(attachment["content"])
    assert attachment["content"]["body"][0]["text"].endswith(view.title)
    await sender.update_card(CHANNEL, ref, view)
    updated = teams.connector.sent("update")[-1]
    assert (updated["conversation"], updated["activity_id"]) == (CHANNEL, ref)
    assert updated["body"]["id"] == ref
    await sender.post_note(CHANNEL, ref, "Sam Okafor (internal) claimed")
    reply = teams.connector.sent("reply")[-1]
    assert (reply["activity_id"], reply["body"]["text"]) == (ref, "Sam Okafor (internal) claimed")
    await sender.post_text(CHANNEL, "ping")
    assert teams.connector.sent("send")[-1]["body"]["text"] == "ping"
    assert await sender.find_card(CHANNEL, view.short_id) == ref


async def test_refresh_lists_known_people_of_the_tenant(teams, db, cfg):
    await install(teams)
    message = teams.activity("message", aad="aad-sam", text="help")
    await teams.post(message)
    view = await _view(db, cfg, await new_alert(db, cfg))
    await teams.teams.sender.post_card(CHANNEL, view)
    card = teams.connector.sent("send")[-1]["body"]["attachments"][0]["content"]
    assert card["refresh"]["userIds"] == ["29:aad-sam"]


@pytest.mark.parametrize("status, kind", [
    (429, RateLimited), (412, Transient), (500, Transient), (502, Transient), (503, Transient),
    (504, Transient), (403, Permanent), (404, Permanent),
])
async def test_failures_map_to_the_dispatcher_contract(teams_sqlite, sqlite_db, cfg, status, kind):
    await install(teams_sqlite)
    view = await _view(sqlite_db, cfg, await new_alert(sqlite_db, cfg))
    teams_sqlite.connector.failures.append((status, {"Retry-After": "7"}))
    with pytest.raises(kind) as raised:
        await teams_sqlite.teams.sender.post_card(CHANNEL, view)
    if kind is RateLimited:
        assert raised.value.retry_after == 7.0


async def test_network_failure_is_transient(teams_sqlite, sqlite_db, cfg):
    await install(teams_sqlite)
    view = await _view(sqlite_db, cfg, await new_alert(sqlite_db, cfg))
    await teams_sqlite.connector.close()
    with pytest.raises(Transient):
        await teams_sqlite.teams.sender.post_card(CHANNEL, view)
    await teams_sqlite.connector.start()  # the bench closes it again


async def test_unknown_channel_is_permanent(teams_sqlite, sqlite_db, cfg):
    view = await _view(sqlite_db, cfg, await new_alert(sqlite_db, cfg))
    with pytest.raises(Permanent, match="install the Tandem app"):
        await teams_sqlite.teams.sender.post_card("19:never-seen@thread.tacv2", view)


async def test_direct_message_creates_the_chat_once(teams, db, cfg):
    await install(teams)
    lee = Recipient(email="lee@acme.example", name="Lee Chen", identities={"teams": "aad-lee"})
    await teams.teams.sender.send_direct(lee, "You are on call")
    await teams.teams.sender.send_direct(lee, "Still on call")
    created = teams.connector.sent("create")
    assert len(created) == 1
    assert created[0]["body"]["members"] == [{"id": "29:lee"}]
    assert created[0]["body"]["channelData"] == {"tenant": {"id": TENANT}}
    assert created[0]["body"]["bot"]["id"] == BOT
    chat = f"a:chat-{created[0]['id']}"
    texts = [c["body"]["text"] for c in teams.connector.sent("send") if c["conversation"] == chat]
    assert texts == ["You are on call", "Still on call"]
    with pytest.raises(Permanent):
        await teams.teams.sender.send_direct(Recipient("x@acme.example", "X"), "hi")


async def test_a_ping_mentions_the_person_for_real(teams, db, cfg):
    await install(teams)
    await teams.post(teams.activity("message", aad="aad-sam", text="help"))  # stores 29:aad-sam
    sender = teams.teams.sender
    text = "ACME-1 is unclaimed: <at>Eve</at> **x**. Sam <Okafor>, you are on call."
    sam = Recipient("sam@acme.example", "Sam <Okafor>", identities={"teams": "aad-sam"})
    await sender.post_text(CHANNEL, text, sam, text.index("Sam"))
    body = teams.connector.sent("send")[-1]["body"]
    tag = "<at>Sam &lt;Okafor&gt;</at>"
    assert body["text"] == ("ACME-1 is unclaimed: \\<at\\>Eve\\</at\\> \\*\\*x\\*\\*. "
                            f"{tag}, you are on call.")
    assert body["entities"] == [{"type": "mention", "text": tag,
                                 "mentioned": {"id": "29:aad-sam", "name": "Sam <Okafor>"}}]
    # someone who never messaged Tandem is mentioned by their Entra object id
    lee = Recipient("lee@acme.example", "Lee", identities={"teams": "aad-lee-2"})
    await sender.post_text(CHANNEL, "Lee, look", lee, 0)
    entity = teams.connector.sent("send")[-1]["body"]["entities"][0]
    assert entity["mentioned"] == {"id": "aad-lee-2", "name": "Lee"}
