"""What the digest says about a known day, on SQLite and PostgreSQL, and its golden cards."""

import pytest

from cards import digest as cards
from handlers.digest import build as digest
from handlers.digest.payload import from_payload, to_payload
from handlers.enums import Severity
from tests.cards.checks import check_adaptive_card, check_golden, check_slack_blocks

from . import scenario
from .scenario import SINCE, UNTIL


@pytest.fixture
async def view(db, cfg):
    await scenario.load(db)
    async with db.unit() as uow:
        session = await uow.session()
        return await digest.build(session, cfg, cfg.tenant("acme"), SINCE, UNTIL)


def test_counts(view):
    assert (view.new, view.resolved, view.open, view.unclaimed) == (6, 3, 5, 3)


def test_oldest_and_pending(view):
    assert [(a.short_id, a.over_sla) for a in view.oldest_unclaimed] == [
        ("ACME-10", True), ("ACME-3", True), ("ACME-4", False)]
    assert [a.short_id for a in view.oldest_open] == [
        "ACME-5", "ACME-10", "ACME-3", "ACME-4", "ACME-7"]
    assert view.oldest_open[0].owner.name == "Lee Chen"
    [fix] = view.pending_approvals
    assert (fix.short_id, fix.fix, fix.proposed_by.name, fix.needs_internal_approver) == (
        "ACME-7", "Restart the service", "Dana Reyes", True)


def test_sla_breaches(view):
    assert [(b.severity, b.count, b.limit_seconds) for b in view.sla_breaches] == [
        (Severity.CRITICAL, 1, 900), (Severity.HIGH, 1, 1800), (Severity.MEDIUM, 1, 14400)]


def test_mtta_and_mttr_overall_and_by_side(view):
    got = {r.side: (r.acknowledged, round(r.mtta_seconds or 0), r.resolved,
                    round(r.mttr_seconds or 0)) for r in view.response}
    assert got == {
        "all": (3, (600 + 3600 + 120) // 3, 3, (3600 + 10800 + 88200) // 3),
        "internal": (1, 600, 1, 3600),
        "partner": (2, (3600 + 120) // 2, 2, (10800 + 88200) // 2),
    }


def test_noisiest_sources(view):
    assert [(n.source, n.alerts, n.events) for n in view.noisiest] == [
        ("prometheus", 3, 8), ("grafana", 2, 5), ("azure", 1, 1)]


def test_payload_round_trip(view):
    assert from_payload(to_payload(view)) == view


def test_golden_cards(view):
    """The same day renders the same on both engines, pinned per platform."""
    message = cards.render_slack(view)
    check_slack_blocks(message["blocks"])
    check_golden("slack_digest", message)
    card = cards.render_teams(view)
    check_adaptive_card(card)
    check_golden("teams_digest", card)
    check_golden("text_digest", {"lines": cards.render_text(view).splitlines()})
