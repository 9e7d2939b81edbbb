"""Escalation pings name people as real mentions, and a Teams DM Tandem cannot send yet
becomes a mention in the Teams channels, audited as ping.fallback (SQLite and PostgreSQL).

Acme's policy (tests/data/config.yaml): 5m DM the on-call person (Lee, Slack only),
15m mention them in the channels, 30m DM Raj.
"""

from datetime import UTC, datetime

from handlers.config.accounts import TeamsAccount
from handlers.escalation import pings
from handlers.escalation.steps import tick
from storage import teams as refs
from tests.conftest import new_alert

from .helpers import at, events, rows

MENTION = ("ACME-1 (high) is unclaimed: Disk full on db-1. Lee Chen, you are on call: "
           "please claim it.")


def with_raj_on_teams(cfg):
    raj = cfg.person("raj@partner.example")
    teams_raj = raj.model_copy(update={"teams": TeamsAccount(aad_object_id="aad-raj")})
    return cfg.model_copy(update={"people": [teams_raj if p is raj else p for p in cfg.people]})


async def test_the_channel_step_names_the_on_call_person_as_a_mention(db, cfg):
    await new_alert(db, cfg)
    await tick(db, cfg, at(5))
    await tick(db, cfg, at(15))
    texts = await rows(db, "text")
    assert [r.platform for r in texts] == ["slack", "teams"]
    for row in texts:
        assert row.payload == {"text": MENTION, "mention": {
            "email": "lee@acme.example", "name": "Lee Chen", "at": MENTION.index("Lee Chen")}}


async def test_a_teams_user_tandem_cannot_dm_is_mentioned_in_the_teams_channel(db, cfg):
    cfg = with_raj_on_teams(cfg)
    await new_alert(db, cfg)
    for minute in (5, 15, 30):
        await tick(db, cfg, at(minute))
    [ping] = [e for e in await events(db, "ping") if e.details["step"] == 3]
    assert ping.details["via"] == ["slack", "teams channel"]
    [fallback] = await events(db, "ping.fallback")
    assert fallback.details == {"to": "raj@partner.example", "reason": pings.TEAMS_NO_CHAT}
    dms = [(r.platform, r.channel) for r in await rows(db, "dm")]
    assert ("slack", "dm:raj@partner.example") in dms and ("teams", "dm:raj@partner.example") \
        not in dms
    [teams_ping] = [r for r in await rows(db, "text") if "Raj Patel" in r.payload["text"]]
    assert teams_ping.platform == "teams"
    assert teams_ping.payload["mention"]["email"] == "raj@partner.example"


async def test_once_they_have_messaged_tandem_they_get_the_teams_dm(db, cfg):
    cfg = with_raj_on_teams(cfg)
    async with db.unit() as uow:
        session = await uow.session()
        await refs.save(session, refs.PERSON, "aad-raj", service_url="https://smba.example",
                        at=datetime.now(UTC), user_id="29:raj", email="raj@partner.example")
    await new_alert(db, cfg)
    for minute in (5, 15, 30):
        await tick(db, cfg, at(minute))
    assert await events(db, "ping.fallback") == []
    dms = [(r.platform, r.channel) for r in await rows(db, "dm")]
    assert ("teams", "dm:raj@partner.example") in dms
