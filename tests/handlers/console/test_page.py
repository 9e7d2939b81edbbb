"""An alert's page: the cards' view and buttons, the fixes bound to it, and its timeline
checked against the audit chain. On SQLite and PostgreSQL (tampering: SQLite, whose
log a writer can edit; PostgreSQL's trigger refuses it)."""

import pytest
from sqlalchemy import text

from bot.teams.views import render_for
from cards import actions as A
from handlers.console import alert_page
from handlers.enums import Severity, Status, Verb
from handlers.people.refusals import unavailable
from handlers.reads import show_alert
from storage.console_chain import ALTERED, ORPHANED
from tests.handlers.console.helpers import DANA, GINA, RAJ, SAM, STRANGER, alert, run


def teams_buttons(cfg, view, who) -> set[str]:
    """The Teams card's actions for `who`: the per-viewer buttons of chat."""
    return {a["verb"] for a in render_for(cfg, view, [], who)["actions"]}


def console_buttons(page) -> set[str]:
    """What the page layer renders: the action table of the cards, given the page's verbs."""
    primary, secondary = A.card_actions(page.view.status, A.action_ids(page.allowed),
                                        page.view.remediation)
    return {*primary, *secondary}


async def test_the_page_shows_the_cards_view_and_the_same_buttons(db, cfg):
    short = await alert(db, cfg, severity=Severity.CRITICAL)
    await run(db, cfg, Verb.CLAIM, short, RAJ)
    await run(db, cfg, Verb.PROPOSE, short, RAJ, remediation="restart-service")
    for who in (SAM, RAJ, DANA):
        page = await alert_page(db, cfg, who, short.lower())
        assert page.view == await show_alert(db, cfg, who, short)
        assert console_buttons(page) == teams_buttons(cfg, page.view, who), who
    sams = await alert_page(db, cfg, SAM, short)
    assert {A.APPROVE, A.REJECT, A.HISTORY} <= console_buttons(sams)
    rajs = await alert_page(db, cfg, RAJ, short)
    assert A.APPROVE not in console_buttons(rajs) and Verb.APPROVE not in rajs.allowed


@pytest.mark.parametrize("asked", ["ACME-1", "acme-999", "GLOBEX-1"])
async def test_unknown_and_other_tenants_alerts_get_chats_sentence(db, cfg, asked):
    await alert(db, cfg, "acme")
    assert await alert_page(db, cfg, GINA if asked.startswith("ACME") else SAM,
                            asked) == unavailable(asked)


async def test_a_stranger_is_not_shown_anything(db, cfg):
    short = await alert(db, cfg)
    assert (await alert_page(db, cfg, STRANGER, short)).startswith("Tandem does not know")


async def test_fixes_are_offered_with_their_bound_targets(db, cfg):
    short = await alert(db, cfg, severity=Severity.LOW, user="jo@acme.example")
    dana = {f.id: f for f in (await alert_page(db, cfg, DANA, short)).fixes}
    assert dana["revoke-sessions"].described == "Revoke all sign-in sessions of jo@acme.example"
    assert dana["revoke-sessions"].problem is None
    assert not dana["revoke-sessions"].needs_internal_approver  # low, not destructive
    assert dana["disable-user"].needs_internal_approver and dana["disable-user"].reason_required
    assert dana["isolate-device"].problem == (
        f"{short} has no `device_id` label; Isolate the device needs one.")


async def test_the_timeline_is_the_audit_log_and_verifies(db, cfg):
    short = await alert(db, cfg)
    await alert(db, cfg, "globex")
    await run(db, cfg, Verb.CLAIM, short, SAM)
    await run(db, cfg, Verb.CLAIM, short, DANA)  # refused: on the timeline too
    await run(db, cfg, Verb.RESOLVE, short, SAM, note="freed space")
    page = await alert_page(db, cfg, SAM, short)
    assert [e.entry.verb for e in page.timeline.entries] == ["created", "claim", "refused",
                                                            "resolve"]
    assert page.timeline.verified and page.timeline.first_problem is None
    assert page.view.status is Status.RESOLVED


async def _raw(db, sql: str) -> None:
    async with db.unit() as uow:
        await (await uow.session()).execute(text(sql))


async def test_an_altered_or_orphaned_event_is_named(sqlite_db, cfg):
    db = sqlite_db
    other = await alert(db, cfg, title="first")
    short = await alert(db, cfg, title="second")
    await run(db, cfg, Verb.CLAIM, short, SAM)
    await _raw(db, "UPDATE audit_event SET actor = 'mallory@evil.example' "
                   f"WHERE alert = '{short}' AND verb = 'claim'")
    page = await alert_page(db, cfg, SAM, short)
    assert not page.timeline.verified
    claim = page.timeline.first_problem
    assert (claim.entry.verb, claim.problem) == ("claim", ALTERED)
    assert claim.describe_problem() == f"Audit event #{claim.entry.seq} {ALTERED}."
    await _raw(db, f"DELETE FROM audit_event WHERE alert = '{other}'")
    created = (await alert_page(db, cfg, SAM, short)).timeline.entries[0]
    assert (created.entry.verb, created.problem) == ("created", ORPHANED)
