"""`oncall` and `oncall cover` through the chat command set Slack and Teams share."""

from datetime import UTC, datetime

from sqlalchemy import select

from cards.chat_text import PlainText
from handlers.chat.commands import Asked, run
from handlers.chat.parse import OnCall, parse
from handlers.commands import Identity
from storage import audit
from storage.models import AuditEvent, OncallOverride

SAM = Identity("slack", "T0ACME/U0SAM")
DANA = Identity(email="dana@partner.example")  # serves acme and globex
NOW = datetime(2026, 11, 20, 14, 2, tzinfo=UTC)  # Friday afternoon


async def ask(db, cfg, who, text, channel="C0OPS"):
    return await run(db, cfg, Asked(who, "slack", channel), text, PlainText(), now=NOW)


def test_parse():
    assert parse("oncall") == OnCall()
    assert parse("oncall cover tomorrow 18:00-22:00") == OnCall("cover tomorrow 18:00-22:00")


async def test_cover_is_shared_and_changes_the_answer(db, cfg):
    covered = await ask(db, cfg, SAM, "oncall cover 18:00-22:00")
    assert covered.ephemeral is False  # everyone in the channel sees who covers
    assert covered.text == ("Sam Okafor (internal) is on call for Acme Ltd from Fri 20 Nov "
                            "18:00 GMT until Fri 20 Nov 22:00 GMT.")
    shown = await ask(db, cfg, DANA, "oncall")
    assert shown.ephemeral is True
    assert shown.text.splitlines()[1] == ("Now: Lee Chen (internal) until Fri 20 Nov 18:00 GMT; "
                                          "next Sam Okafor (internal) from Fri 20 Nov 18:00 GMT")


async def test_bad_cover_is_explained_privately(db, cfg):
    wrong = await ask(db, cfg, SAM, "oncall cover later")
    assert wrong.ephemeral is True
    assert wrong.text.startswith("'later' is not a start and an end")
    past = await ask(db, cfg, SAM, "oncall cover 09:00-10:00")
    assert past.text == "That override would already be over."
    elsewhere = await ask(db, cfg, DANA, "oncall cover 18:00-22:00", channel="D0DM")
    assert elsewhere.text == ("You work for several tenants; run this in that tenant's "
                              "alert channel.")


async def test_typed_in_another_tenants_channel_is_refused_not_answered_for_home(db, cfg):
    """Sam (Acme only) in Globex's channel: refused there, audited outside both tenants'
    logs, never answered about Acme nor allowed to cover Acme from Globex's channel."""
    for text in ("oncall", "oncall cover 18:00-22:00"):
        refused = await ask(db, cfg, SAM, text, channel="C0ALERTS")
        assert (refused.text, refused.ephemeral) == (
            "Sam Okafor is not a member of Globex Corp.", True)
    async with db.read() as session:
        chains = (await session.execute(select(AuditEvent.tenant_id, AuditEvent.details).where(
            AuditEvent.verb == "refused"))).all()
        covers = (await session.execute(select(OncallOverride))).scalars().all()
    assert [(t, d["verb"], d["tenant"]) for t, d in chains] == [
        (audit.DEPLOYMENT, "oncall", "globex")] * 2
    assert covers == []
    # Dana serves both tenants: in Globex's channel she is answered about Globex only.
    shown = await ask(db, cfg, DANA, "oncall", channel="C0ALERTS")
    assert "Globex Corp" in shown.text and "Acme" not in shown.text
