"""Pings and the digest reach Slack: the real dispatcher and Slack sender against the fake
Slack Web API (fakes/slack/api.py), on SQLite and PostgreSQL."""

import json

import pytest
from sqlalchemy import select

from cards.digest import render_slack
from fakes.slack.api import FakeSlack
from handlers.digest import build
from handlers.digest.payload import from_payload
from handlers.escalation.steps import tick
from storage.outbox_models import Outbox
from tests.bot.outbox.bench import dispatcher
from tests.conftest import new_alert
from tests.handlers.escalation.helpers import at

LEE_DM = ("ACME-1 (high) is unclaimed: Disk full on db-1. You are on call for Acme Ltd: "
          "please claim it or hand it on.")


@pytest.fixture
async def fake():
    slack = FakeSlack()
    await slack.start()
    yield slack
    await slack.close()


def _posts(fake: FakeSlack, channel: str) -> list[dict]:
    return [c.args for c in fake.calls_to("chat.postMessage") if c.args["channel"] == channel]


async def test_escalation_pings_and_the_digest_are_delivered(db, cfg, fake):
    await new_alert(db, cfg)
    assert await tick(db, cfg, at(5)) == 1  # DM Lee
    assert await tick(db, cfg, at(15)) == 1  # mention Lee in the channels
    assert await build.send_due(db, cfg, "acme", at(20)) == 2  # Slack and Teams
    async with db.unit() as uow:
        session = await uow.session()
        row = (await session.execute(select(Outbox).where(
            Outbox.kind == "digest", Outbox.platform == "slack"))).scalar_one()
    async with dispatcher(db, cfg, fake) as running:
        await running.drain()
    assert [c.args["users"] for c in fake.calls_to("conversations.open")] == ["U0LEE"]
    assert [p["text"] for p in _posts(fake, "DU0LEE")] == [LEE_DM]
    channel = _posts(fake, "C0OPS")
    mention = [p for p in channel if p["text"].endswith("<@U0LEE>, you are on call: "
                                                         "please claim it.")]
    assert len(mention) == 1 and "metadata" not in mention[0]
    [posted] = [p for p in channel if p["text"].startswith("📊 Daily digest")]
    expected = render_slack(from_payload(row.payload))
    blocks = posted["blocks"]
    assert (json.loads(blocks) if isinstance(blocks, str) else blocks) == expected["blocks"]
    assert posted["text"] == expected["text"]
    async with db.unit() as uow:
        session = await uow.session()
        left = (await session.execute(select(Outbox.kind, Outbox.platform).where(
            Outbox.done_at.is_(None)))).all()
    assert {platform for _, platform in left} == {"teams"}  # no Teams sender in this test
