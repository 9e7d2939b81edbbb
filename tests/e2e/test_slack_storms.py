"""Storm cards end to end over real HTTP, on SQLite and PostgreSQL: alerts past the
threshold arrive at intake and share one storm card at the fake Slack, whose rows'
Claim and Open buttons (signed clicks) and the /tandem command act on each alert."""

import pytest

from cards import actions as A
from fakes.slack.payloads import DANA, LEE
from tests.bot.conftest import Stack, running, said, shows, slack_settings
from tests.storms import THRESHOLD, storm_config_file


@pytest.fixture
async def storm_stack(db_url, fake_slack, tokens, tmp_path):
    settings = slack_settings(db_url, fake_slack, config=storm_config_file(tmp_path))
    async for running_stack in running(fake_slack, settings):
        yield running_stack


def storm_of(fake) -> dict | None:
    found = [m for m in fake.messages.get("C0OPS", [])
             if "thread_ts" not in m and "metadata" not in m]
    return found[0] if found else None


async def storm(stack: Stack) -> tuple[dict, list[str]]:
    """THRESHOLD alerts with their own cards, then two grouped: the storm card and the
    grouped alerts' ids."""
    for i in range(THRESHOLD + 2):
        status, _ = await stack.enqueue(f"disk-{i}", f"Disk full on db-{i}", "warning")
        assert status == 202
    await stack.fake.wait_for(lambda: (card := storm_of(stack.fake)) and shows(card, "2 new"))
    card = storm_of(stack.fake)
    assert card is not None and len(stack.fake.cards("C0OPS")) == THRESHOLD
    return card, [f"ACME-{THRESHOLD + 1}", f"ACME-{THRESHOLD + 2}"]


async def test_a_click_on_a_storm_row_claims_that_alert_and_updates_the_storm_card(storm_stack):
    card, (first, second) = await storm(storm_stack)
    version = await storm_stack.version(first)
    assert await storm_stack.click(DANA, first, version, A.CLAIM, message_ts=card["ts"]) == 200
    await storm_stack.fake.wait_for(lambda: shows(storm_of(storm_stack.fake),
                                                  "Claimed, Dana Reyes (partner)"))
    assert await storm_stack.slash(LEE, f"claim {second}") == 200
    await storm_stack.fake.wait_for(lambda: shows(storm_of(storm_stack.fake),
                                                  "Claimed, Lee Chen (internal)"))
    assert {c.args["ts"] for c in storm_stack.fake.calls_to("chat.update")} == {card["ts"]}
    assert not storm_stack.fake.card_for("C0OPS", first)
    assert len(storm_stack.fake.cards("C0OPS")) == THRESHOLD


async def test_open_posts_the_full_card_and_tells_the_clicker(storm_stack):
    card, (first, _) = await storm(storm_stack)
    version = await storm_stack.version(first)
    assert await storm_stack.click(DANA, first, version, A.OPEN, message_ts=card["ts"]) == 200
    own = await storm_stack.card(first)
    assert shows(own, "Disk full on db-3") and shows(own, "Unclaimed")
    await storm_stack.fake.wait_for(lambda: storm_stack.fake.ephemeral)
    assert said(storm_stack.fake.ephemeral[0]) == f"{first} gets its own card here."
    await storm_stack.fake.wait_for(lambda: shows(storm_of(storm_stack.fake), "has its own card"))
