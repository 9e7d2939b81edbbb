"""The channel-neutral chat command set: parsing, and running on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest

from cards.chat_text import PlainText
from handlers.chat.commands import Asked, run
from handlers.chat.parse import HELP, Act, Read, SilenceAdd, SilenceExpire, Usage, parse
from handlers.commands import Identity
from handlers.enums import Status, Verb
from storage import audit
from tests.conftest import new_alert

SAM = Identity("slack", "T0ACME/U0SAM")
DANA = Identity(email="dana@partner.example")  # partner, in acme and globex
LEE = Identity(email="lee@acme.example")
IVY = Identity(email="ivy@acme.example")  # approver only
STRANGER = Identity("slack", "T0ACME/U0WHO")
NOW = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("claim acme-1", Act(Verb.CLAIM, "ACME-1")),
    ("escalate ACME-1 disk filling fast",
     Act(Verb.ESCALATE, "ACME-1", {"mode": "next_level", "reason": "disk filling fast"})),
    ("resolve ACME-1  freed  space ", Act(Verb.RESOLVE, "ACME-1", {"note": "freed  space"})),
    ("resolve ACME-1 as falsepositive travel, not a thief", Act(Verb.RESOLVE, "ACME-1", {
        "classification": "falsePositive", "note": "travel, not a thief"})),
    ("resolve ACME-1 as TruePositive", Act(Verb.RESOLVE, "ACME-1", {
        "classification": "truePositive"})),
    ("resolve ACME-1 as expected, disk freed", Act(Verb.RESOLVE, "ACME-1", {
        "note": "as expected, disk freed"})),
    ("resolve ACME-1 as", Act(Verb.RESOLVE, "ACME-1", {"note": "as"})),
    ("resolve ACME-1", Act(Verb.RESOLVE, "ACME-1")),
    ("retry acme-1", Act(Verb.RETRY, "ACME-1")),
    ("retry ACME-1 permission granted now", Act(Verb.RETRY, "ACME-1", {
        "reason": "permission granted now"})),
    ("done ACME-1 blocked 203.0.113.9 at the edge", Act(Verb.DONE, "ACME-1", {
        "note": "blocked 203.0.113.9 at the edge"})),
    ("reject ACME-1 too risky", Act(Verb.REJECT, "ACME-1", {"reason": "too risky"})),
    ("propose ACME-1 restart-service after hours", Act(Verb.PROPOSE, "ACME-1", {
        "remediation": "restart-service", "note": "after hours"})),
    ("snooze ACME-1 1h30m", Act(Verb.SNOOZE, "ACME-1", {"duration": "1h30m"})),
    ("list", Read("list", "open")),
    ("LIST Mine", Read("list", "mine")),
    ("history acme-7", Read("history", "ACME-7")),
    ("silence add service=db env=prod for 2h patching the db",
     SilenceAdd({"service": "db", "env": "prod"}, timedelta(hours=2), "patching the db")),
    ("silence expire 12", SilenceExpire(12)),
])
def test_parse(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(("text", "problem"), [
    ("claim", "Usage: claim ID"),
    ("claim ACME-1 now please", "claim takes only an alert id. Usage: claim ID"),
    ("propose ACME-1", "Name the fix. Usage: propose ID FIX [note]"),
    ("snooze ACME-1", "Say for how long. Usage: snooze ID DURATION"),
    ("done ACME-1", "Say what was done. Usage: done ID NOTE"),
    ("done", "Usage: done ID NOTE"),
    ("retry", "Usage: retry ID [reason]"),
    ("list everything", "Unknown list 'everything'. Usage: list [open|mine|unclaimed]"),
    ("silence add service=db", "Say for how long with 'for'."),
    ("silence add service for 2h", "Silence: 'service' is not key=value."),
    ("silence add service=db for soon", "Silence: 'soon' is not a duration"),
    ("silence expire seven", "Usage: silence expire N"),
    ("silence mute", "Usage: silence add"),
])
def test_usage_mistakes_say_how_to_write_it(text, problem):
    with pytest.raises(Usage) as error:
        parse(text)
    assert str(error.value).startswith(problem)


async def ask(db, cfg, who, text, channel="C0OPS", key=None):
    return await run(db, cfg, Asked(who, "slack", channel), text, PlainText(), key=key, now=NOW)


async def test_help_for_nothing_and_for_unknown_words(db, cfg):
    for text in ("", "help", "frobnicate ACME-1"):
        reply = await ask(db, cfg, SAM, text)
        assert reply.text == HELP and reply.ephemeral


async def test_actions_are_shared_refusals_are_private(db, cfg):
    alert = await new_alert(db, cfg)
    done = await ask(db, cfg, SAM, f"claim {alert.lower()}")
    assert (done.text, done.ephemeral) == (f"Sam Okafor (internal) claimed {alert}.", False)
    assert done.view.status is Status.CLAIMED
    refused = await ask(db, cfg, LEE, f"claim {alert}")
    assert (refused.text, refused.ephemeral) == (
        f"{alert} is already claimed by Sam Okafor (internal).", True)
    unknown = await ask(db, cfg, STRANGER, f"release {alert}")
    assert unknown.ephemeral and unknown.text.startswith("Tandem does not know slack:T0ACME/U0WHO")
    assert (await audit.verify(db)).ok


async def test_a_keyed_command_replayed_is_applied_once(db, cfg):
    alert = await new_alert(db, cfg)
    first = await ask(db, cfg, LEE, f"escalate {alert} slow", key="slack:cmd:1")
    again = await ask(db, cfg, LEE, f"escalate {alert} slow", key="slack:cmd:1")
    assert not first.ephemeral and again.text == "Already done; nothing changed."
    assert again.view.escalation_level == 1


async def test_reads_are_private_and_scoped(db, cfg):
    mine = await new_alert(db, cfg, title="Disk full on db-1")
    await new_alert(db, cfg, title="CPU high on app-2")
    await new_alert(db, cfg, "globex", title="VPN down")
    await ask(db, cfg, LEE, f"claim {mine}")
    listed = await ask(db, cfg, LEE, "list")
    assert listed.ephemeral and listed.text.splitlines()[0].startswith("🟠 ACME-2 · CPU high")
    assert "GLOBEX" not in listed.text and len(listed.text.splitlines()) == 2
    assert (await ask(db, cfg, LEE, "list mine")).text.startswith("🟠 ACME-1 · Disk full")
    assert (await ask(db, cfg, LEE, "list unclaimed")).text.startswith("🟠 ACME-2")
    shown = await ask(db, cfg, LEE, "show ACME-1")
    assert "Owner: Lee Chen (internal)" in shown.text and shown.view.short_id == "ACME-1"
    assert (await ask(db, cfg, LEE, "show GLOBEX-1")).text == "GLOBEX-1 is not available to you."
    history = await ask(db, cfg, LEE, "history ACME-1")
    assert history.text.splitlines()[0] == "History of ACME-1"
    assert "lee@acme.example (internal)  claim  open -> claimed" in history.text
    assert (await ask(db, cfg, STRANGER, "list")).text.startswith("Tandem does not know")


async def test_silences_in_the_channels_tenant(db, cfg):
    added = await ask(db, cfg, DANA, "silence add service=db severity=low for 2h patching",
                      channel="C0OPS")
    assert not added.ephemeral
    assert added.text == ("Dana Reyes (partner) silenced service=db severity=low in Acme Ltd "
                          "until 2026-11-22 16:00 GMT (silence 1): patching")
    listed = await ask(db, cfg, LEE, "silence list")
    assert listed.text == ("#1 Acme Ltd: service=db severity=low until 2026-11-22 16:00 GMT, "
                           "by dana@partner.example: patching")
    assert (await ask(db, cfg, LEE, "silence expire 1")).text == (
        "Lee Chen (internal) expired silence 1 in Acme Ltd.")
    assert (await ask(db, cfg, LEE, "silence list")).text == "No active silences in Acme Ltd."
    assert (await ask(db, cfg, LEE, "silence expire 99")).text == "No silence 99 in your tenants."
    assert (await audit.verify(db)).ok


async def test_silence_scope_and_rights(db, cfg):
    elsewhere = await ask(db, cfg, DANA, "silence add env=prod for 1h", channel="D0DANA")
    assert elsewhere.ephemeral and elsewhere.text == (
        "You work for several tenants (Acme Ltd, Globex Corp); run this in that tenant's "
        "alert channel.")
    assert (await ask(db, cfg, IVY, "silence add env=prod for 1h")).text == (
        "Silences need the responder role, which Ivy Stone lacks.")
    assert (await ask(db, cfg, DANA, "silence list", channel=None)).text == (
        "No active silences in Acme Ltd.\nNo active silences in Globex Corp.")


async def test_oncall_shows_who_is_on_or_that_no_schedule_exists(db, cfg):
    assert (await ask(db, cfg, LEE, "oncall")).text.splitlines()[:2] == [
        "On call for Acme Ltd at Sun 22 Nov 14:00 GMT:",
        "Now: Dana Reyes (partner) until Sun 22 Nov 18:00 GMT; "
        "next Raj Patel (partner) from Sun 22 Nov 18:00 GMT"]
    assert (await ask(db, cfg, DANA, "oncall", channel="C0ALERTS")).text == (
        "No on-call schedule is configured for Globex Corp.")
