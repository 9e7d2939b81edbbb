"""Silences over signed /tandem requests: a silenced alert's card reaches Slack when the
silence ends, once; a silence typed in another tenant's channel is refused."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from fakes.slack import payloads
from fakes.slack.payloads import LEE
from handlers.silences import ends as silence_ends
from storage import audit
from storage.models import Alert, Silence
from tests.bot.conftest import said, shows


async def _alert(stack, short_id: str) -> Alert:
    async with stack.runtime.db.read() as session:
        return (await session.execute(select(Alert).where(Alert.short_id == short_id))).scalar_one()


async def _silenced_alert(stack) -> None:
    assert await stack.slash(LEE, "silence add severity=critical for 1h disk swap") == 200
    await stack.fake.wait_for(lambda: stack.fake.responses)
    assert stack.fake.responses[0]["response_type"] == "in_channel"
    status, _ = await stack.enqueue("disk-db-1")
    assert status == 202 and (await _alert(stack, "ACME-1")).status == "silenced"


async def test_the_card_is_posted_when_the_silence_ends(stack):
    await _silenced_alert(stack)
    now = datetime.now(UTC)
    async with stack.runtime.db.unit() as uow:  # the hour has passed
        session = await uow.session()
        await session.execute(update(Silence).values(starts_at=now - timedelta(hours=1),
                                                     ends_at=now))
    assert await silence_ends.tick(stack.runtime.db, stack.runtime.cfg, now) == 1
    card = await stack.card("ACME-1")
    assert shows(card, "Disk full on db-1")
    assert await silence_ends.tick(stack.runtime.db, stack.runtime.cfg, now) == 0
    assert len(stack.fake.card_for("C0OPS", "ACME-1")) == 1
    assert (await _alert(stack, "ACME-1")).status == "open"
    assert (await audit.verify(stack.runtime.db)).ok


async def test_expiring_the_silence_posts_the_card_at_once(stack):
    await _silenced_alert(stack)
    assert await stack.slash(LEE, "silence expire 1") == 200
    await stack.fake.wait_for(lambda: len(stack.fake.responses) == 2)
    expired = stack.fake.responses[1]
    assert said(expired) == (
        "Lee Chen (internal) expired silence 1 in Acme Ltd. 1 alert(s) came back.")
    assert expired["response_type"] == "in_channel"
    assert shows(await stack.card("ACME-1"), "Disk full on db-1")


async def test_a_silence_typed_in_another_tenants_channel_is_refused(stack):
    body = payloads.slash(LEE, "silence add service=db for 1h", stack.fake.response_url,
                          channel="C0ALERTS")  # Globex's alert channel; Lee works for Acme
    status, _ = await stack.signed(body)
    assert status == 200
    await stack.fake.wait_for(lambda: stack.fake.responses)
    [refused] = stack.fake.responses
    assert said(refused) == "Lee Chen is not a member of Globex Corp."
    assert refused["response_type"] == "ephemeral"
    async with stack.runtime.db.read() as session:
        assert (await session.execute(select(Silence))).all() == []
