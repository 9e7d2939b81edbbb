"""Storm cards through the dispatcher and the real Slack sender against the fake, on
SQLite and PostgreSQL: past the threshold, new alerts of one source share one card
that is updated in place; critical alerts and storm-free tenants keep a card each."""

from datetime import timedelta

import pytest

from handlers import storms
from handlers.commands import Command, Identity
from handlers.enums import Severity, Verb
from handlers.lifecycle import execute
from tests.bot.conftest import shows
from tests.conftest import NOW
from tests.storms import THRESHOLD, arrive, storm_config

from .bench import dispatcher

DANA = Identity(email="dana@partner.example")


@pytest.fixture
def cfg(tmp_path):
    return storm_config(tmp_path)


def storm_posts(fake, channel: str = "C0OPS") -> list[dict]:
    """Top-level messages that are not alert cards: the storm cards."""
    return [m for m in fake.messages.get(channel, [])
            if "thread_ts" not in m and "metadata" not in m]


async def deliver(db, cfg, fake) -> None:
    async with dispatcher(db, cfg, fake) as running:
        await running.drain()


async def test_past_the_threshold_each_source_gets_one_storm_card_updated_in_place(
        db, cfg, fake_slack):
    first = await arrive(db, cfg, "prometheus", [f"disk {i}" for i in range(THRESHOLD)])
    stormed = await arrive(db, cfg, "prometheus", ["disk 3", "disk 4"])
    other = await arrive(db, cfg, "grafana", ["latency"])
    await deliver(db, cfg, fake_slack)
    assert sorted(m["metadata"]["event_payload"]["alert"] for m in fake_slack.cards("C0OPS")) \
        == sorted(first)
    prom, graf = storm_posts(fake_slack)
    assert shows(prom, "2 new alerts from prometheus in 1 min: 2 medium")
    assert all(shows(prom, s) for s in stormed) and shows(graf, other[0])

    later = await arrive(db, cfg, "prometheus", ["disk 5"], severity=Severity.HIGH,
                         at=NOW + timedelta(minutes=3))
    await deliver(db, cfg, fake_slack)
    assert len(storm_posts(fake_slack)) == 2 and len(fake_slack.cards("C0OPS")) == THRESHOLD
    [update] = [c.args for c in fake_slack.calls_to("chat.update")]
    assert update["ts"] == prom["ts"]
    assert shows(prom, "3 new alerts from prometheus in 3 min: 1 high, 2 medium")
    assert shows(prom, f"🟠 {later[0]} · disk 5")  # the most severe first


async def test_a_critical_alert_in_a_storm_gets_its_own_card(db, cfg, fake_slack):
    await arrive(db, cfg, "prometheus", [f"disk {i}" for i in range(THRESHOLD + 2)])
    [critical] = await arrive(db, cfg, "prometheus", ["db down"], severity=Severity.CRITICAL)
    await deliver(db, cfg, fake_slack)
    assert fake_slack.card_for("C0OPS", critical)
    [storm] = storm_posts(fake_slack)
    assert shows(storm, "2 new alerts") and not shows(storm, critical)


async def test_claiming_a_stormed_alert_updates_the_storm_card_not_a_card_of_its_own(
        db, cfg, fake_slack):
    ids = await arrive(db, cfg, "prometheus", [f"disk {i}" for i in range(THRESHOLD + 1)])
    await deliver(db, cfg, fake_slack)
    result = await execute(db, cfg, Command(Verb.CLAIM, ids[-1], DANA, {}))
    assert result.ok, result.message
    await deliver(db, cfg, fake_slack)
    [storm] = storm_posts(fake_slack)
    assert shows(storm, "Claimed, Dana Reyes (partner)")
    assert not fake_slack.card_for("C0OPS", ids[-1]) and not fake_slack.thread("C0OPS", storm["ts"])
    assert [c.args["ts"] for c in fake_slack.calls_to("chat.update")] == [storm["ts"]]


async def test_open_posts_the_alerts_own_card_which_then_behaves_like_any(db, cfg, fake_slack):
    ids = await arrive(db, cfg, "prometheus", [f"disk {i}" for i in range(THRESHOLD + 1)])
    await deliver(db, cfg, fake_slack)
    said = await storms.open_alone(db, cfg, DANA, ids[-1], "slack", "C0OPS", NOW)
    assert said == f"{ids[-1]} gets its own card here."
    await deliver(db, cfg, fake_slack)
    [card] = fake_slack.card_for("C0OPS", ids[-1])
    [storm] = storm_posts(fake_slack)
    assert shows(storm, "has its own card")
    assert await storms.open_alone(db, cfg, DANA, ids[-1], "slack", "C0OPS", NOW) == (
        f"{ids[-1]} already has its own card here.")
    assert (await execute(db, cfg, Command(Verb.CLAIM, ids[-1], DANA, {}))).ok
    await deliver(db, cfg, fake_slack)
    assert fake_slack.thread("C0OPS", card["ts"])[0].startswith("Dana Reyes (partner) claimed")


async def test_a_tenant_without_storms_gets_a_card_each(db, cfg, fake_slack):
    ids = await arrive(db, cfg, "prometheus", [f"disk {i}" for i in range(THRESHOLD + 3)],
                       tenant="globex")
    await deliver(db, cfg, fake_slack)
    assert len(fake_slack.cards("C0ALERTS")) == len(ids) and not storm_posts(fake_slack, "C0ALERTS")


async def test_the_storm_ends_after_a_quiet_window(db, cfg, fake_slack):
    await arrive(db, cfg, "prometheus", [f"disk {i}" for i in range(THRESHOLD + 1)])
    [calm] = await arrive(db, cfg, "prometheus", ["calm"], at=NOW + timedelta(minutes=21))
    await deliver(db, cfg, fake_slack)
    assert fake_slack.card_for("C0OPS", calm) and len(storm_posts(fake_slack)) == 1


async def test_markup_in_a_title_is_shown_literally_in_the_storm_card(db, cfg, fake_slack):
    await arrive(db, cfg, "prometheus", [f"disk {i}" for i in range(THRESHOLD)])
    await arrive(db, cfg, "prometheus", ["<!channel> *now* <https://evil.example|x>"])
    await deliver(db, cfg, fake_slack)
    [storm] = storm_posts(fake_slack)
    rows = [b for b in storm["blocks"] if b["type"] == "section"]
    assert rows[0]["text"]["type"] == "plain_text"
    assert "<!channel> *now*" in rows[0]["text"]["text"]
    assert "<!channel>" not in storm["text"] and all(
        "<!channel>" not in e["text"] for b in storm["blocks"] if b["type"] == "context"
        for e in b["elements"] if e["type"] == "mrkdwn")
