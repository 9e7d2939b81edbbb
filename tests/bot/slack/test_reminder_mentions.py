"""An approval reminder, ticked into the outbox and delivered by the dispatcher, reaches
the Slack fake: a rich-text DM to Sam, and a channel message naming Ivy, whom Tandem
cannot DM, in plain rich text (she has no Slack user to mention) (SQLite and PostgreSQL)."""

from handlers.escalation import reminders
from tests.bot.outbox.bench import dispatcher
from tests.handlers.escalation.helpers import at
from tests.handlers.escalation.test_approval_reminders import REMINDER, propose_fix


def _words(message: dict) -> list[dict]:
    [block] = message["blocks"]
    [section] = block["elements"]
    assert (block["type"], section["type"]) == ("rich_text", "rich_text_section")
    return section["elements"]


async def test_the_reminder_dms_sam_and_names_ivy_in_the_channel(db, cfg, fake_slack):
    await propose_fix(db, cfg)
    await reminders.tick(db, cfg, at(32))
    async with dispatcher(db, cfg, fake_slack) as running:
        await running.drain()
    [dm] = fake_slack.messages["DU0SAM"]
    assert dm["text"] == REMINDER and _words(dm) == [{"type": "text", "text": REMINDER}]
    [asked] = [m for m in fake_slack.messages["C0OPS"] if "please decide" in m["text"]]
    assert asked["text"] == f"{REMINDER} Ivy Stone, please decide."
    assert _words(asked) == [{"type": "text", "text": asked["text"]}]  # no user to mention
