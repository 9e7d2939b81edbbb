"""Request verification at POST /slack/events, and who a click is taken to come from."""

import time

from sqlalchemy import func, select

from cards import actions as A
from fakes.slack import payloads
from fakes.slack.payloads import DANA
from fakes.slack.signing import sign
from storage import audit
from storage.models import AuditEvent
from tests.bot.conftest import said
from tests.conftest import new_alert


async def _events(stack) -> int:
    async with stack.runtime.db.unit() as uow:
        session = await uow.session()
        return (await session.execute(select(func.count()).select_from(AuditEvent))).scalar_one()


async def test_forged_and_stale_signatures_get_401_and_change_nothing(stack):
    alert = await new_alert(stack.runtime.db, stack.runtime.cfg)
    body = payloads.form(payloads.block_action(DANA, alert, 1, A.CLAIM))
    before = await _events(stack)
    forged = sign(body, secret="not-the-signing-secret")
    stale = sign(body, at=int(time.time()) - 5 * 60 - 30)
    tampered = sign(body)
    for headers, sent in ((forged, body), (stale, body), (tampered, body + "x"), ({}, body)):
        status, _ = await stack.post(sent, headers)
        assert status == 401
    assert await _events(stack) == before
    # The dispatcher may post the new alert's own card meanwhile; nothing else may reach
    # Slack, and the card stays at the version the alert was created with.
    assert [c for c in stack.fake.calls if c.method != "chat.postMessage"] == []
    assert all(c.args["metadata"]["event_payload"]["version"] == 1 for c in stack.fake.calls)
    assert await stack.version(alert) == 1


async def test_url_verification_is_answered(stack):
    body = '{"token": "legacy-unused", "challenge": "3eZbrw1aB", "type": "url_verification"}'
    status, text = await stack.signed(body, "application/json")
    assert status == 200 and "3eZbrw1aB" in text


async def test_unknown_person_is_refused_alone_and_audited(stack):
    alert = await new_alert(stack.runtime.db, stack.runtime.cfg)
    stranger = ("T0ACME", "T0ACME", "U0NEW")  # users.info: new@acme.example, not configured
    assert await stack.click(stranger, alert, 1, A.CLAIM) == 200
    await stack.fake.wait_for(lambda: stack.fake.ephemeral)
    [answer] = stack.fake.ephemeral
    assert answer["user"] == "U0NEW"
    assert said(answer).startswith("Tandem does not know slack:T0ACME/U0NEW. Ask an admin")
    assert [c.args["user"] for c in stack.fake.calls_to("users.info")] == ["U0NEW"]
    async with stack.runtime.db.unit() as uow:
        session = await uow.session()
        refused = (await session.execute(select(AuditEvent).where(
            AuditEvent.verb == "refused"))).scalar_one()
    assert refused.actor == "slack:T0ACME/U0NEW" and refused.details["verb"] == "claim"
    assert await stack.version(alert) == 1 and (await audit.verify(stack.runtime.db)).ok


async def test_a_user_id_alone_is_not_trusted(stack):
    """U0DANA is Dana only in her own workspace; the same id from another team is not her."""
    alert = await new_alert(stack.runtime.db, stack.runtime.cfg)
    impostor = ("T0ACME", "T0EVIL", "U0DANA")
    await stack.click(impostor, alert, 1, A.CLAIM)
    await stack.fake.wait_for(lambda: stack.fake.ephemeral)
    assert "does not know slack:T0EVIL/U0DANA" in said(stack.fake.ephemeral[0])
    assert await stack.version(alert) == 1


async def test_person_found_by_email_when_the_pair_is_not_configured(stack):
    alert = await new_alert(stack.runtime.db, stack.runtime.cfg)
    ivy = ("T0ACME", "T0ACME", "U0IVY")  # users.info: Ivy@acme.example, an approver only
    for _ in range(2):
        await stack.click(ivy, alert, 1, A.CLAIM)
    await stack.fake.wait_for(lambda: len(stack.fake.ephemeral) == 2)
    assert {said(e) for e in stack.fake.ephemeral} == {
        "Claim needs the responder role, which Ivy Stone lacks."}
    assert len(stack.fake.calls_to("users.info")) == 1  # the email is cached


async def test_a_replayed_click_is_applied_once(stack):
    alert = await new_alert(stack.runtime.db, stack.runtime.cfg)
    body = payloads.form(payloads.block_action(DANA, alert, 1, A.CLAIM))
    for _ in range(3):
        assert (await stack.signed(body))[0] == 200
    card = await stack.card(alert)
    await stack.fake.wait_for(lambda: stack.fake.thread("C0OPS", card["ts"]))
    async with stack.runtime.db.unit() as uow:
        session = await uow.session()
        claims = (await session.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.verb == "claim"))).scalar_one()
    assert claims == 1 and stack.fake.ephemeral == []
    assert len(stack.fake.thread("C0OPS", card["ts"])) == 1


async def test_an_email_match_from_another_account_does_not_become_a_pinned_person(stack):
    """Sam's Slack account is configured (T0ACME/U0SAM): an account of another workspace
    whose profile shows sam@acme.example is refused, and the attempt is audited outside
    Acme's log."""
    alert = await new_alert(stack.runtime.db, stack.runtime.cfg)
    stack.fake.users["U0EVIL"] = {"id": "U0EVIL", "team_id": "T0EVIL",
                                  "profile": {"email": "Sam@acme.example"}}
    await stack.click(("T0ACME", "T0EVIL", "U0EVIL"), alert, 1, A.CLAIM)
    await stack.fake.wait_for(lambda: stack.fake.ephemeral)
    assert stack.fake.ephemeral[0]["text"].startswith(
        "This chat account (slack:T0EVIL/U0EVIL) is not the one configured for sam@acme.example")
    assert await stack.version(alert) == 1
    async with stack.runtime.db.unit() as uow:
        session = await uow.session()
        [refused] = (await session.execute(select(AuditEvent).where(
            AuditEvent.verb == "refused"))).scalars()
    assert (refused.tenant_id, refused.actor) == (audit.DEPLOYMENT, "slack:T0EVIL/U0EVIL")
    assert (await audit.verify(stack.runtime.db)).ok


async def test_enterprise_grid_ids_name_the_configured_person(stack):
    """An org-wide app's payload names the Enterprise Grid org (E...) as the user's team."""
    alert = await new_alert(stack.runtime.db, stack.runtime.cfg)
    assert await stack.click(("T0ACME", "E0GRID", "U0LEE"), alert, 1, A.CLAIM) == 200
    card = await stack.card(alert)
    await stack.fake.wait_for(lambda: stack.fake.thread("C0OPS", card["ts"]))
    assert stack.fake.thread("C0OPS", card["ts"])[0].startswith("Lee Chen (internal) claimed")
    assert stack.fake.calls_to("users.info") == []  # the pair matched; no email needed
    await stack.click(("T0ACME", "E0OTHER", "U0LEE"), alert, 2, A.RELEASE)
    await stack.fake.wait_for(lambda: stack.fake.ephemeral)
    assert "does not know slack:E0OTHER/U0LEE" in stack.fake.ephemeral[0]["text"]
