"""How a fix is worded on every surface: its target before approval, then its progress."""

from dataclasses import replace

import pytest

from cards import actions as A
from cards import fixes
from cards.format import action_title

from .samples import (
    MACHINE_ACTION,
    fix_failed,
    fix_manual,
    fix_pending_reason,
    fix_view,
    pending_view,
    run,
)


def progress(view) -> str:
    return fixes.progress_text(view.remediation)


def test_before_approval_the_fix_is_shown_by_its_target():
    heading, lines = fixes.remediation_lines(fix_view("pending").remediation)
    assert heading == ("Fix proposed: Revoke all sign-in sessions of jo@acme.example — by Dana "
                       "Reyes (partner), needs an internal approver")
    assert lines == []
    heading, lines = fixes.remediation_lines(fix_pending_reason().remediation)
    assert heading.startswith("Fix proposed: Disable the account of jo@acme.example — by")
    assert lines == ["Note: Impossible travel, then MFA fatigue", "Approving it needs a reason"]


def test_a_catalogue_entry_without_a_target_is_shown_by_its_title():
    heading, _ = fixes.remediation_lines(pending_view().remediation)
    assert heading.startswith("Fix proposed: Restart the service — by Dana Reyes (partner)")


@pytest.mark.parametrize(
    ("execution", "shown"),
    [
        (None, "Fix queued"),
        (run("queued", attempts=0), "Fix queued"),
        (run("launching"), "Fix starting"),
        (run("running", kind="defender.isolate", external_id=MACHINE_ACTION),
         "Fix running (Defender action 7b1c2d3e…)"),
        (run("running"), "Fix running"),
        (run("queued", attempts=2, detail="retrying: Microsoft Graph answered 503"),
         "Fix retrying: Microsoft Graph answered 503"),
        (run("queued", attempts=1, detail="throttled (429)"), "Fix retrying: throttled (429)"),
        (run("succeeded", kind="awx.launch", external_id="4711"), "Fix executed ✓ (AWX job 4711)"),
        (run("succeeded"), "Fix executed ✓"),
        (run("failed", detail="jo@acme.example does not exist (404)"),
         "Fix failed: jo@acme.example does not exist (404)"),
        (run("expired"), "Fix expired: the approval ran out"),
    ],
)
def test_after_approval_progress_and_result(execution, shown):
    view = fix_view("approved", execution)
    assert progress(view) == shown
    _, lines = fixes.remediation_lines(view.remediation)
    assert lines == ["Approved by Sam Okafor (internal)", shown]


def test_manual_fixes_wait_for_a_person_then_say_so():
    assert progress(fix_manual()) == (
        "Fix approved — waiting for someone to do it by hand, then press Done")
    assert progress(fix_view("done", manual=True)) == "Fix done by hand"
    assert progress(fix_view("done", run("failed", detail="x"))) == "Fix done by hand"


def test_undecided_rejected_and_withdrawn_fixes_show_no_progress():
    assert progress(fix_view("pending")) == ""
    for status in ("rejected", "withdrawn"):
        rem = replace(fix_view("approved").remediation, status=status, decision_reason="no")
        assert fixes.progress_text(rem) == ""
        assert fixes.remediation_lines(rem)[1] == [
            f"{status.capitalize()} by Sam Okafor (internal): no"]


def test_an_approval_reason_stays_with_the_decision_line():
    view = fix_view("executed", run("succeeded"), decision_reason="confirmed with Jo")
    assert fixes.remediation_lines(view.remediation)[1][0] == (
        "Approved by Sam Okafor (internal): confirmed with Jo")


def test_external_ids_name_their_platform_and_long_ones_are_cut():
    assert fixes.external_ref(run("running", kind="azure_automation.webhook",
                                  external_id="short-id")) == "Azure Automation job short-id"
    assert fixes.external_ref(run("running", kind="webhook", external_id="31")) == "webhook 31"
    assert fixes.external_ref(run("running", kind="graph.disable_user",
                                  external_id=MACHINE_ACTION)) == "Graph request 7b1c2d3e…"


def test_done_is_titled_for_the_fix_it_ends():
    assert action_title(A.DONE, fix_manual()) == "Done"
    assert action_title(A.DONE, fix_failed()) == "Done by hand"
    assert action_title(A.RETRY, fix_failed()) == "Retry"


def test_forms_about_the_fix_name_it():
    assert fixes.form_about(fix_pending_reason(), A.APPROVE) == (
        "Fix: Disable the account of jo@acme.example")
    assert fixes.form_about(fix_failed(), A.DONE) == (
        "Fix: Revoke all sign-in sessions of jo@acme.example")
    assert fixes.form_about(fix_failed(), A.RESOLVE) == ""
