"""An alert's page: the card's content and buttons for its reader, the chat forms, the
command path's refusals in chat's words, a stale page answered with the alert as it is
now, and the timeline with the chain's state. SQLite and PostgreSQL."""

from sqlalchemy import text as sql

from bot.teams.views import render_for
from handlers.commands import Identity
from handlers.enums import GRAPH_SOURCE, Severity, Verb
from handlers.people.refusals import unavailable
from handlers.reads import show_alert
from tests.bot.web.pages.html import actions, field, form, said, text
from tests.handlers.console.helpers import DANA, RAJ, SAM, alert, refusals, run


async def test_the_page_shows_the_cards_content(site):
    short = await alert(site.db, site.cfg, title="Risky sign-in", user="jo@acme.example",
                        source=GRAPH_SOURCE)
    await run(site.db, site.cfg, Verb.CLAIM, short, DANA)
    dana = await site.signed_in("dana@partner.example")
    status, page, _ = await dana.get(f"/alerts/{short}")
    assert status == 200 and text(page, "headline") == f"{short} · Risky sign-in"
    facts = text(page, "facts", "class")
    assert facts.startswith("Severity High Status Claimed Tenant Acme Ltd Source graph "
                            "Owner Dana Reyes (partner) Escalation Not escalated Occurrences 1")
    assert text(page, "labels", "class") == "user=jo@acme.example"


async def test_its_buttons_are_the_ones_chat_shows_this_reader(site):
    short = await alert(site.db, site.cfg, severity=Severity.CRITICAL, source=GRAPH_SOURCE)
    await run(site.db, site.cfg, Verb.CLAIM, short, RAJ)
    await run(site.db, site.cfg, Verb.PROPOSE, short, RAJ, remediation="restart-service")
    for email, expected in [
            ("sam@acme.example", ["Approve fix", "Reject fix", "Escalate", "Withdraw fix",
                                  "Significant", "Comment"]),
            ("raj@partner.example", ["Escalate", "Withdraw fix", "Significant", "Comment"])]:
        browser = await site.signed_in(email)
        _, page, _ = await browser.get(f"/alerts/{short}")
        assert actions(page) == expected, email
        view = await show_alert(site.db, site.cfg, Identity(email=email), short)
        teams = [a["title"] for a in render_for(site.cfg, view, [], Identity(email=email))[
            "actions"] if a["title"] != "History"]
        assert teams == expected[:-1], email  # chat comments by command


async def test_the_forms_are_chats_with_labels_and_the_catalogue_bound(site):
    short = await alert(site.db, site.cfg, source=GRAPH_SOURCE, user="jo@acme.example")
    await run(site.db, site.cfg, Verb.CLAIM, short, DANA)
    dana = await site.signed_in("dana@partner.example")
    _, page, _ = await dana.get(f"/alerts/{short}")
    propose = text(page, "act-alert.propose")
    assert propose.startswith("Propose fix Remediation Choose… Revoke all sign-in sessions of "
                              "jo@acme.example (needs an internal approver)")
    assert "Note for the approver (optional)" in propose
    assert f"Isolate the device: {short} has no `device_id` label" in text(page, "unbound",
                                                                          "class")
    assert '<label for="f-alert.resolve-note">Resolution note</label>' in page
    assert text(page, "act-alert.resolve").endswith(
        "Classification in Microsoft Graph Unknown False positive True positive "
        "Informational, expected activity Resolve")
    assert '<legend>Escalate to</legend>' in page


async def test_a_form_runs_the_command_and_the_page_says_what_it_did(site):
    short = await alert(site.db, site.cfg, user="jo@acme.example")
    await run(site.db, site.cfg, Verb.CLAIM, short, DANA)
    dana = await site.signed_in("dana@partner.example")
    _, page, _ = await dana.get(f"/alerts/{short}")
    fields = form(page, "alert.propose") | {"remediation": "revoke-sessions", "note": "please"}
    status, page, url = await dana.post(f"/alerts/{short}/act", fields)
    assert status == 200 and url.endswith(f"/alerts/{short}")
    assert said(page) == f"Dana Reyes (partner) proposed a fix for {short}."
    assert text(page, "box", "class").startswith(
        "Fix proposed: Revoke all sign-in sessions of jo@acme.example — by Dana Reyes "
        "(partner), needs an internal approver Note: please")
    comment = form(page, "comment") | {"text": "Asked jo to confirm"}
    status, page, _ = await dana.post(f"/alerts/{short}/act", comment)
    assert said(page) == f"Dana Reyes (partner) commented on {short}."
    assert "text Asked jo to confirm" in text(page, "timeline")


async def test_a_partners_approval_of_their_own_fix_is_refused_in_chats_words(site):
    short = await alert(site.db, site.cfg, severity=Severity.CRITICAL)
    await run(site.db, site.cfg, Verb.CLAIM, short, RAJ)
    await run(site.db, site.cfg, Verb.PROPOSE, short, RAJ, remediation="restart-service")
    raj = await site.signed_in("raj@partner.example")
    _, page, _ = await raj.get(f"/alerts/{short}")
    forced = form(page, "alert.withdraw") | {"action": "alert.approve"}  # as an old tab might
    status, page, _ = await raj.post(f"/alerts/{short}/act", forced)
    refusal = f"You proposed this fix for {short}; someone else must approve it."
    assert status == 403 and said(page) == refusal
    assert 'class="said said-refused" role="alert"' in page
    assert await refusals(site.db, "acme") == [refusal]
    sam = await site.signed_in("sam@acme.example")
    _, page, _ = await sam.get(f"/alerts/{short}")
    status, page, _ = await sam.post(f"/alerts/{short}/act", form(page, "alert.approve"))
    assert status == 200 and said(page) == f"Sam Okafor (internal) approved the fix for {short}."


async def test_a_stale_page_is_answered_with_the_alert_as_it_is_now(site):
    short = await alert(site.db, site.cfg)
    dana = await site.signed_in("dana@partner.example")
    _, page, _ = await dana.get(f"/alerts/{short}")
    stale = form(page, "alert.claim")
    await run(site.db, site.cfg, Verb.CLAIM, short, SAM)
    status, page, _ = await dana.post(f"/alerts/{short}/act", stale)
    assert status == 409 and said(page).startswith(f"{short} ")
    assert "Owner Sam Okafor (internal)" in text(page, "facts", "class")


async def test_a_required_field_left_empty_keeps_the_form_open_with_what_was_typed(site):
    short = await alert(site.db, site.cfg)
    await run(site.db, site.cfg, Verb.CLAIM, short, DANA)
    dana = await site.signed_in("dana@partner.example")
    _, page, _ = await dana.get(f"/alerts/{short}")
    fields = form(page, "alert.escalate") | {"reason": "  ", "mode": "other_side"}
    status, page, _ = await dana.post(f"/alerts/{short}/act", fields)
    assert status == 422 and said(page) == "Reason is required."
    assert '<details class="act" id="act-alert.escalate" open>' in page
    assert 'value="other_side" checked' in page


async def test_another_tenants_alert_is_not_there(site):
    short = await alert(site.db, site.cfg, "acme")
    gina = await site.signed_in("gina@globex.example")
    for path in (f"/alerts/{short}", f"/alerts/{short}/live"):
        status, page, _ = await gina.get(path)
        assert status == 404 and unavailable(short) in page and "Disk full" not in page
    _, page, _ = await gina.get("/")
    claim = {"csrf": field(page, "csrf"), "action": "alert.claim"}
    status, page, _ = await gina.post(f"/alerts/{short}/act", claim)
    assert status == 404 and said(page) == unavailable(short)


async def test_the_timeline_shows_the_chains_verification(sqlite_site):
    site = sqlite_site
    short = await alert(site.db, site.cfg)
    await run(site.db, site.cfg, Verb.CLAIM, short, SAM)
    sam = await site.signed_in("sam@acme.example")
    _, page, _ = await sam.get(f"/alerts/{short}")
    assert text(page, "chain", "class").startswith("✓ Audit chain verified")
    assert text(page, "timeline").count("✓ intact") == 2
    async with site.db.unit() as uow:
        await (await uow.session()).execute(sql(
            f"UPDATE audit_event SET actor = 'mallory@evil.example' WHERE alert = '{short}' "
            "AND verb = 'claim'"))
    _, page, _ = await sam.get(f"/alerts/{short}")
    assert text(page, "chain-broken", "class").startswith(
        "✗ Audit chain broken: Audit event #")
    assert "✗ has been altered" in text(page, "broken", "class")
