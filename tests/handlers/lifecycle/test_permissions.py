"""Per-viewer buttons: allowed_verbs() says yes exactly when dispatch() would not refuse."""

from dataclasses import replace

import pytest

from handlers.commands import Command, Identity, Outcome
from handlers.enums import Side, Status, Verb
from handlers.lifecycle import dispatch
from handlers.lifecycle.permissions import allowed_verbs, configured_actor
from handlers.people.operator import Operator
from handlers.reads.scoped import show_alert
from tests.cards.samples import (
    base_view,
    claimed_view,
    fix_failed,
    fix_manual,
    fix_view,
    pending_view,
    resolved_view,
    significant_view,
)
from tests.conftest import new_alert


def allowed(cfg, email, view):
    return allowed_verbs(cfg, configured_actor(cfg, email), view)


def test_roles_sides_and_tenants(cfg):
    assert Verb.CLAIM in allowed(cfg, "sam@acme.example", base_view())
    assert allowed(cfg, "ivy@acme.example", base_view()) == frozenset()  # approver only
    assert allowed(cfg, "gina@globex.example", base_view()) == frozenset()  # other tenant
    assert allowed(cfg, "nobody@acme.example", base_view()) == frozenset()
    assert Verb.CLAIM not in allowed(cfg, "sam@acme.example", claimed_view())  # Dana owns it
    assert allowed(cfg, "sam@acme.example", resolved_view()) == {
        Verb.REOPEN, Verb.COMMENT, Verb.SIGNIFICANT}


def test_an_incident_is_flagged_significant_once_by_any_responder(cfg):
    """Either side flags it (the button); once flagged, nobody is offered it again."""
    for email in ("sam@acme.example", "lee@acme.example", "dana@partner.example"):
        assert Verb.SIGNIFICANT in allowed(cfg, email, claimed_view()), email
        assert Verb.SIGNIFICANT not in allowed(cfg, email, significant_view()), email
    assert Verb.SIGNIFICANT not in allowed(cfg, "ivy@acme.example", claimed_view())


def test_approvals_follow_policy(cfg):
    view = pending_view()  # Dana (partner) proposed a fix for a high alert
    assert Verb.APPROVE in allowed(cfg, "sam@acme.example", view)
    assert Verb.APPROVE not in allowed(cfg, "raj@partner.example", view)  # partner approver
    assert Verb.APPROVE not in allowed(cfg, "dana@partner.example", view)  # the proposer


def test_retry_and_done_follow_the_fix_as_it_stands(cfg):
    """Dana (partner) proposed it, Sam approved it; Lee is a responder, not an approver."""
    fix = {Verb.RETRY, Verb.DONE}
    assert allowed(cfg, "sam@acme.example", fix_failed()) & fix == fix
    assert allowed(cfg, "lee@acme.example", fix_failed()) & fix == {Verb.DONE}
    assert allowed(cfg, "raj@partner.example", fix_failed()) & fix == {Verb.DONE}  # internal
    assert allowed(cfg, "sam@acme.example", fix_manual()) & fix == {Verb.DONE}
    for status in ("approved", "executing", "executed", "done"):
        assert allowed(cfg, "sam@acme.example", fix_view(status)) & fix == set(), status


def test_the_owner_of_a_snoozed_alert_may_claim_it_to_wake_it(cfg):
    snoozed = replace(claimed_view(), status=Status.SNOOZED)  # Dana owns it
    assert Verb.CLAIM in allowed(cfg, "dana@partner.example", snoozed)
    assert Verb.CLAIM not in allowed(cfg, "sam@acme.example", snoozed)


def test_approvals_read_the_side_the_proposer_had_when_proposing(cfg):
    view = pending_view()  # Dana proposed it as a partner
    internal = replace(view, remediation=replace(view.remediation, proposer_side=Side.INTERNAL,
                                                 needs_internal_approver=False))
    assert Verb.APPROVE not in allowed(cfg, "raj@partner.example", view)
    assert Verb.APPROVE in allowed(cfg, "raj@partner.example", internal)


@pytest.mark.parametrize("email", ["sam@acme.example", "lee@acme.example", "ivy@acme.example",
                                   "dana@partner.example", "gina@globex.example"])
async def test_agrees_with_dispatch(db, cfg, email):
    short = await new_alert(db, cfg)
    view = await show_alert(db, cfg, Operator(), short)
    says = allowed(cfg, email, view)
    for verb in (Verb.CLAIM, Verb.RELEASE, Verb.REOPEN, Verb.APPROVE):
        result = await dispatch.execute(db, cfg, Command(verb, short, Identity(email=email),
                                                        seen_version=view.version))
        assert (verb in says) == (result.outcome is Outcome.DONE), (verb, result.message)
        if result.outcome is Outcome.DONE:
            return  # the alert changed; the rest is covered by the cases above
    assert view.status is Status.OPEN
