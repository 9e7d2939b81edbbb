"""An escalation ping, ticked into the outbox and delivered by the dispatcher, reaches the
Slack fake as a real `<@U…>` mention of the on-call person (SQLite and PostgreSQL)."""

from handlers.escalation.steps import tick
from tests.bot.outbox.bench import dispatcher
from tests.conftest import new_alert
from tests.handlers.escalation.helpers import at


async def test_the_channel_ping_mentions_lee_by_slack_user_id(db, cfg, fake_slack):
    await new_alert(db, cfg)
    await tick(db, cfg, at(5))
    await tick(db, cfg, at(15))
    async with dispatcher(db, cfg, fake_slack) as running:
        await running.drain()
    [ping] = [m for m in fake_slack.messages["C0OPS"] if "on call" in m["text"]]
    assert ping["text"] == ("ACME-1 (high) is unclaimed: Disk full on db-1. <@U0LEE>, "
                            "you are on call: please claim it.")
    [section] = ping["blocks"][0]["elements"]
    assert {"type": "user", "user_id": "U0LEE"} in section["elements"]
