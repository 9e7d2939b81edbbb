"""Typed commands (@Tandem in a channel, plain text 1:1) and what Tandem learns from them."""

from botbuilder.schema import Activity

from bot.outbox.sender import Recipient
from bot.teams.commands import command_text
from handlers.people.operator import Operator
from handlers.reads import scoped
from storage import teams as refs
from tests.conftest import new_alert

from .conftest import BOT, CHANNEL, TEAM, TENANT
from .test_sender import install

MENTION = {"type": "mention", "text": "<at>Tandem</at>", "mentioned": {"id": BOT, "name": "Tandem"}}


def _mention(bench, text: str, aad: str = "aad-sam") -> dict:
    return bench.activity("message", aad, text=f"<at>Tandem</at> {text}", entities=[MENTION])


def _personal(bench, text: str, aad: str = "aad-sam") -> dict:
    return bench.activity("message", aad, text=text,
                          conversation={"id": f"a:1on1-{aad}", "conversationType": "personal",
                                        "tenantId": TENANT}, channelData={"tenant": {"id": TENANT}})


def test_command_text_strips_the_bot_mention_and_html():
    activity = Activity().deserialize({
        "type": "message", "recipient": {"id": BOT},
        "text": "<at>Tandem</at>&nbsp;claim  <p>ACME-1</p>\n", "entities": [MENTION]})
    assert command_text(activity) == "claim ACME-1"
    bare = Activity().deserialize({"type": "message", "recipient": {"id": BOT},
                                   "text": "<at>Tandem Bot</at> list mine"})
    assert command_text(bare) == "list mine"


async def test_mention_in_a_channel_runs_the_command(teams, db, cfg):
    short = await new_alert(db, cfg)
    status, _ = await teams.post(_mention(teams, f"claim {short}"))
    assert status == 200
    reply = teams.connector.sent("reply")[-1]
    assert reply["conversation"] == f"{CHANNEL};messageid=100"
    assert reply["body"]["text"] == f"Sam Okafor (internal) claimed {short}."
    assert (await scoped.show_alert(db, cfg, Operator(), short)).owner.email == "sam@acme.example"
    async with db.unit() as uow:
        session = await uow.session()
        channel = await refs.find(session, refs.CHANNEL, CHANNEL)
    assert (channel.service_url, channel.team_id) == (teams.service_url, TEAM)


async def test_one_to_one_text_and_later_direct_messages(teams, db, cfg):
    short = await new_alert(db, cfg, title="VPN down")
    status, _ = await teams.post(_personal(teams, "list"))
    assert status == 200
    answer = teams.connector.sent("reply")[-1]
    assert answer["conversation"] == "a:1on1-aad-sam" and short in answer["body"]["text"]
    sam = Recipient("sam@acme.example", "Sam Okafor", identities={"teams": "aad-sam"})
    await teams.teams.sender.send_direct(sam, "You are on call")
    assert teams.connector.sent("create") == []  # the 1:1 chat was already known
    assert teams.connector.sent("send")[-1]["conversation"] == "a:1on1-aad-sam"


async def test_unknown_people_and_bad_commands_get_a_sentence(teams_sqlite):
    await teams_sqlite.post(_personal(teams_sqlite, "claim ACME-999", aad="aad-nobody"))
    reply = teams_sqlite.connector.sent("reply")[-1]["body"]["text"]
    assert reply.startswith("Tandem does not know teams:aad-nobody")
    await teams_sqlite.post(_personal(teams_sqlite, "help"))
    assert teams_sqlite.connector.sent("reply")[-1]["body"]["text"].startswith("Tandem commands")


async def test_install_learns_every_channel_and_new_ones(teams_sqlite, sqlite_db):
    await install(teams_sqlite, channels=(CHANNEL, "19:general@thread.tacv2"))
    created = teams_sqlite.activity(
        "conversationUpdate", channelData={"eventType": "channelCreated", "tenant": {"id": TENANT},
                                           "team": {"id": TEAM},
                                           "channel": {"id": "19:new@thread.tacv2"}})
    assert (await teams_sqlite.post(created))[0] == 200
    async with sqlite_db.unit() as uow:
        session = await uow.session()
        found = {k: await refs.find(session, refs.CHANNEL, k)
                 for k in (CHANNEL, "19:general@thread.tacv2", "19:new@thread.tacv2")}
        lee = await refs.find(session, refs.PERSON, "aad-lee")
    assert all(r is not None and r.aad_tenant_id == TENANT for r in found.values())
    assert (lee.user_id, lee.bot_id, lee.email) == ("29:lee", BOT, None)
