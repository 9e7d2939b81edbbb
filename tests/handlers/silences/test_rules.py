"""Who may silence what and for how long, in chat (Slack's and Teams' shared command set)."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from cards.chat_text import PlainText
from handlers.chat.commands import Asked, run
from handlers.chat.parse import SilenceAdd, Usage, parse
from handlers.commands import Identity
from handlers.config.schema import ApprovalPolicy, Tenant
from storage import audit
from storage.models import AuditEvent, Silence
from tests.handlers.silences.test_ends import with_acme

NOW = datetime(2026, 11, 20, 14, 2, tzinfo=UTC)
SAM, LEE = Identity(email="sam@acme.example"), Identity(email="lee@acme.example")
DANA, IVY = Identity(email="dana@partner.example"), Identity(email="ivy@acme.example")
GINA = Identity(email="gina@globex.example")
STRANGER = Identity("slack", "T0ACME/U0WHO")
ACME_SLACK, GLOBEX_SLACK = "C0OPS", "C0ALERTS"


async def ask(db, cfg, who, text, channel=ACME_SLACK, platform="slack"):
    return await run(db, cfg, Asked(who, platform, channel), text, PlainText(), now=NOW)


async def refusals(db) -> list[tuple[str, str, str]]:
    async with db.read() as session:
        found = await session.execute(select(AuditEvent).where(AuditEvent.verb == "refused")
                                      .order_by(AuditEvent.id))
        return [(e.tenant_id, e.actor, e.details["reason"]) for e in found.scalars()]


async def silence_count(db) -> int:
    async with db.read() as session:
        return len((await session.execute(select(Silence.id))).all())


@pytest.mark.parametrize(("text", "expected"), [
    ("silence add service=db for 2h from tomorrow 22:00 every sat,sun 22:00-02:00 patch it",
     SilenceAdd({"service": "db"}, timedelta(hours=2), "patch it", "tomorrow 22:00",
                "sat,sun 22:00-02:00")),
    ("silence add service=db for 2h every SUN 02:00-04:00 from 2026-11-22T01:00Z",
     SilenceAdd({"service": "db"}, timedelta(hours=2), "", "2026-11-22T01:00Z",
                "sun 02:00-04:00")),
])
def test_parse_start_and_weekly_window(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(("text", "problem"), [
    ("silence add severity=urgent for 2h", "Silence: 'urgent' is not a severity; use one of "
     "critical, high, medium, low, info."),
    ("silence add service=db for 2h every sun 02:00", "Silence: 'sun 02:00' is not a weekly "
     "window; write DAYS HH:MM-HH:MM"),
    ("silence add service=db for 2h every sun 02:00-02:00", "Silence: 'sun 02:00-02:00' starts "
     "and ends at the same time"),
    ("silence add service=db for 2h every someday 02:00-04:00", "Silence: 'someday' in "
     "'someday' is not a day"),
])
def test_bad_windows_and_severities_are_named(text, problem):
    with pytest.raises(Usage) as error:
        parse(text)
    assert str(error.value).startswith(problem)


async def test_longer_than_the_tenants_limit_is_refused_naming_it(db, cfg):
    refused = await ask(db, cfg, LEE, "silence add service=db for 8d")
    assert (refused.text, refused.ephemeral) == (
        "Silences in Acme Ltd last at most 7d; this one would last 8d.", True)
    assert await refusals(db) == [("acme", "lee@acme.example", refused.text)]
    longer = with_acme(cfg, silence_max="30d")
    assert not (await ask(db, longer, LEE, "silence add service=db for 8d")).ephemeral
    assert await silence_count(db) == 1


async def test_a_partner_cannot_silence_what_needs_an_internal_approver(db, cfg):
    for text in ("silence add service=db for 1h", "silence add service=db severity=high for 1h"):
        refused = await ask(db, cfg, DANA, text)
        assert refused.ephemeral and refused.text == (
            "A partner's silence that can match " + ("critical or high" if "=high" not in text
                                                     else "high")
            + " alerts must be added by an internal person; Dana Reyes is on the partner side.")
    assert await silence_count(db) == 0
    assert [r[:2] for r in await refusals(db)] == [("acme", "dana@partner.example")] * 2
    assert not (await ask(db, cfg, DANA, "silence add service=db severity=medium for 1h")).ephemeral
    assert not (await ask(db, cfg, LEE, "silence add service=db for 1h")).ephemeral  # internal
    lenient = cfg.model_copy(update={"approval": ApprovalPolicy(internal_approver_for=[])})
    assert not (await ask(db, lenient, DANA, "silence add service=db for 1h")).ephemeral
    assert await silence_count(db) == 3


@pytest.mark.parametrize(("platform", "channel"), [("slack", GLOBEX_SLACK), ("teams", None)])
async def test_typed_in_another_tenants_channel_is_refused_not_done_at_home(db, cfg, platform,
                                                                          channel):
    if platform == "teams":  # Globex has no Teams channel: give it one for this test
        globex = cfg.tenant("globex")
        teams = globex.channels[0].model_copy(update={"platform": "teams",
                                                      "channel": "19:globex@thread.tacv2"})
        cfg = cfg.model_copy(update={"tenants": [
            cfg.tenant("acme"), globex.model_copy(update={"channels": [teams]})]})
        channel = teams.channel
    refused = await ask(db, cfg, LEE, "silence add service=db for 1h", channel, platform)
    assert (refused.text, refused.ephemeral) == ("Lee Chen is not a member of Globex Corp.", True)
    assert await silence_count(db) == 0
    # Audited in the deployment's chain, never in Globex's (nor Acme's: it is not about Acme).
    assert await refusals(db) == [("_deployment", "lee@acme.example", refused.text)]
    listed = await ask(db, cfg, LEE, "silence list", channel, platform)
    assert listed.text == "Lee Chen is not a member of Globex Corp."
    assert (await audit.verify(db)).ok


async def test_someone_in_both_tenants_acts_on_the_channels_tenant(db, cfg):
    done = await ask(db, cfg, DANA, "silence add service=db severity=low for 1h", GLOBEX_SLACK)
    assert "in Globex Corp until" in done.text
    async with db.read() as session:
        assert (await session.execute(select(Silence.tenant_id))).scalars().all() == ["globex"]


async def test_role_and_strangers(db, cfg):
    assert (await ask(db, cfg, IVY, "silence add service=db for 1h")).text == (
        "Silences need the responder role, which Ivy Stone lacks.")
    stranger = await ask(db, cfg, STRANGER, "silence add service=db for 1h")
    assert stranger.text.startswith("Tandem does not know slack:T0ACME/U0WHO")
    # Ivy's refusal is in Acme's chain; the stranger's in the deployment's.
    assert [r[:2] for r in await refusals(db)] == [
        ("acme", "ivy@acme.example"), ("_deployment", "slack:T0ACME/U0WHO")]
    expired = await ask(db, cfg, GINA, "silence expire 1", GLOBEX_SLACK)
    assert expired.text == "No silence 1 in your tenants."
    assert [r[0] for r in await refusals(db)] == ["acme", "_deployment", "globex"]


async def test_scheduled_and_weekly_silences_are_shown_as_such(db, cfg):
    added = await ask(db, cfg, LEE, "silence add service=db for 3d from tomorrow 22:00 every "
                                    "sat,sun 22:00-02:00 weekend patching")
    assert added.text == (
        "Lee Chen (internal) silenced service=db in Acme Ltd every sat,sun 22:00-02:00 from "
        "2026-11-21 22:00 GMT until 2026-11-24 22:00 GMT (silence 1): weekend patching")
    assert (await ask(db, cfg, LEE, "silence list")).text == (
        "#1 Acme Ltd: service=db every sat,sun 22:00-02:00 from 2026-11-21 22:00 GMT until "
        "2026-11-24 22:00 GMT, by lee@acme.example: weekend patching")
    # Expired before it started, it never starts.
    assert (await ask(db, cfg, LEE, "silence expire 1")).text == (
        "Lee Chen (internal) expired silence 1 in Acme Ltd.")
    assert (await ask(db, cfg, LEE, "silence list")).text == "No active silences in Acme Ltd."
    bad = await ask(db, cfg, LEE, "silence add service=db for 1h from someday")
    assert bad.text.startswith("Silence: 'someday' is not a time")


def test_silence_max_must_be_a_duration():
    with pytest.raises(ValidationError) as error:
        Tenant(id="x", name="X", code="XX", silence_max="forever")
    assert "'forever' is not a duration" in str(error.value)
    assert Tenant(id="x", name="X", code="XX").silence_max == "7d"
