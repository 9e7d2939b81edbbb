"""An approval reminder, ticked into the outbox and delivered by the dispatcher, reaches
the Bot Connector fake: an approver Teams cannot DM yet is mentioned for real in the
Teams channel (`<at>` and a mention entity, audited as ping.fallback), the same code as
escalation pings; once they have talked to Tandem they get the 1:1 message instead
(SQLite and PostgreSQL)."""

from bot.outbox.dispatcher import Dispatcher
from bot.teams.sender import TEAMS_PACING
from handlers.escalation import reminders
from tests.fixed import Fixed
from tests.handlers.escalation.helpers import at, events
from tests.handlers.escalation.test_approval_reminders import REMINDER, propose_fix

from .conftest import CHANNEL
from .test_sender import install


async def _remind(bench, db, cfg) -> list[dict]:
    """Tick the reminder and deliver it; the messages sent into the ops channel."""
    await propose_fix(db, cfg)
    assert await reminders.tick(db, cfg, at(32)) == ["reminded"]
    dispatcher = Dispatcher(db, Fixed(cfg))
    dispatcher.add_sender(bench.teams.sender, TEAMS_PACING)
    await dispatcher.drain()
    return [c["body"] for c in bench.connector.sent("send")
            if c["conversation"] == CHANNEL and "attachments" not in c["body"]]


async def test_an_approver_teams_cannot_dm_is_mentioned_in_the_channel(teams, db, cfg):
    await install(teams, by="aad-lee")  # Sam has never talked to Tandem
    sam, ivy = await _remind(teams, db, cfg)
    tag = "<at>Sam Okafor</at>"
    assert sam["text"] == f"{REMINDER} {tag}, please decide."  # nothing to escape
    assert sam["textFormat"] == "markdown"
    assert sam["entities"] == [{"type": "mention", "text": tag,
                                "mentioned": {"id": "aad-sam", "name": "Sam Okafor"}}]
    assert ivy["text"] == f"{REMINDER} Ivy Stone, please decide."  # no Teams id: named
    assert teams.connector.sent("create") == []
    [fallback] = await events(db, "ping.fallback")
    assert fallback.details["to"] == "sam@acme.example"


async def test_once_sam_has_talked_to_tandem_he_gets_a_direct_message(teams, db, cfg):
    await install(teams)  # the install came from Sam: Teams gave Tandem his user id
    channel = await _remind(teams, db, cfg)
    assert [m["text"] for m in channel] == [f"{REMINDER} Ivy Stone, please decide."]
    [chat] = teams.connector.sent("create")
    [dm] = [c for c in teams.connector.sent("send") if c["conversation"] == f"a:chat-{chat['id']}"]
    assert dm["body"]["text"] == REMINDER
    assert await events(db, "ping.fallback") == []
