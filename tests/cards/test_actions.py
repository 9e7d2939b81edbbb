import json

import pytest

from cards import actions as A
from cards import forms
from handlers.enums import Status, Verb
from handlers.lifecycle import transitions

from .samples import base_view, fix_failed, fix_manual, fix_pending_reason, fix_view, pending_view

ALL_ACTIONS = [
    A.CLAIM, A.RELEASE, A.ESCALATE, A.PROPOSE, A.APPROVE,
    A.REJECT, A.RESOLVE, A.REOPEN, A.SNOOZE, A.HISTORY, A.RETRY, A.DONE, A.SIGNIFICANT,
]  # fmt: skip


def test_action_ids_are_stable_strings():
    assert A.CLAIM == "alert.claim"
    assert A.HISTORY == "alert.history"
    assert all(a.startswith("alert.") and len(a) <= 255 for a in ALL_ACTIONS)
    assert len(set(ALL_ACTIONS)) == len(ALL_ACTIONS)


def test_action_verb_maps_every_action_and_history_is_read_only():
    assert set(ALL_ACTIONS) <= set(A.ACTION_VERB)
    assert A.ACTION_VERB[A.HISTORY] is None
    assert A.ACTION_VERB[A.CLAIM] is Verb.CLAIM
    assert A.ACTION_VERB[A.REOPEN] is Verb.REOPEN
    for action, verb in A.ACTION_VERB.items():
        assert verb is None or action == f"alert.{verb}"


@pytest.mark.parametrize("action", ALL_ACTIONS + [A.REFRESH])
def test_payload_round_trip(action):
    payload = A.ButtonPayload("ACME-142", 7, action)
    encoded = payload.encode()
    assert A.ButtonPayload.decode(encoded) == payload
    assert json.loads(encoded) == {"v": 1, "a": "ACME-142", "n": 7, "x": action}


def test_payload_is_compact_and_fits_slack_option_values():
    longest = A.ButtonPayload("X" * A.MAX_ALERT_ID, 10**15 - 1, A.ESCALATE).encode()
    assert " " not in longest
    assert len(longest) <= 150  # Slack's overflow option value limit, well under 2,000


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "non-empty string"),
        ("not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"v":2,"a":"ACME-1","n":1,"x":"alert.claim"}', "unsupported payload version 2"),
        ('{"a":"ACME-1","n":1,"x":"alert.claim"}', "unsupported payload version None"),
        ('{"v":true,"a":"ACME-1","n":1,"x":"alert.claim"}', "unsupported payload version True"),
        ('{"v":1,"a":"ACME-1","n":1}', "expected keys"),
        ('{"v":1,"a":"ACME-1","n":1,"x":"alert.claim","z":0}', "expected keys"),
        ('{"v":1,"a":"ACME-1","n":1,"x":"alert.explode"}', "unknown action 'alert.explode'"),
        ('{"v":1,"a":"","n":1,"x":"alert.claim"}', "alert id"),
        ('{"v":1,"a":7,"n":1,"x":"alert.claim"}', "alert id"),
        ('{"v":1,"a":"ACME-1","n":"1","x":"alert.claim"}', "version must be an integer"),
        ('{"v":1,"a":"ACME-1","n":true,"x":"alert.claim"}', "version must be an integer"),
        ('{"v":1,"a":"ACME-1","n":-1,"x":"alert.claim"}', "version out of range"),
        ("x" * 2001, "longer than 2000"),
    ],
)
def test_decode_rejects_malformed_payloads(raw, message):
    with pytest.raises(ValueError, match="button payload") as error:
        A.ButtonPayload.decode(raw)
    assert message in str(error.value)


def test_decode_rejects_non_strings():
    with pytest.raises(ValueError, match="non-empty string"):
        A.ButtonPayload.decode(None)  # type: ignore[arg-type]


def test_payload_refuses_over_long_alert_id():
    with pytest.raises(ValueError, match="longer than 64"):
        A.ButtonPayload("X" * 65, 1, A.CLAIM)


_FLAG = (A.SIGNIFICANT,)  # any status: incidents are recognised late too


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Status.OPEN, (A.CLAIM, A.ESCALATE, A.RESOLVE, A.SNOOZE, *_FLAG)),
        (Status.CLAIMED, (A.PROPOSE, A.ESCALATE, A.RESOLVE, A.SNOOZE, A.RELEASE, *_FLAG)),
        (Status.REMEDIATION_PENDING, (A.APPROVE, A.REJECT, A.ESCALATE, A.WITHDRAW, *_FLAG)),
        (Status.REMEDIATION_APPROVED,
         (A.PROPOSE, A.RETRY, A.DONE, A.ESCALATE, A.RESOLVE, A.RELEASE, *_FLAG)),
        (Status.REMEDIATION_REJECTED, (A.PROPOSE, A.ESCALATE, A.RESOLVE, A.RELEASE, *_FLAG)),
        (Status.SNOOZED, (A.CLAIM, A.RESOLVE, *_FLAG)),
        (Status.SILENCED, (A.CLAIM, A.RESOLVE, *_FLAG)),
        (Status.RESOLVED, (A.REOPEN, *_FLAG)),
    ],
)
def test_buttons_for_each_status(status, expected):
    assert A.buttons_for(status) == expected
    assert A.buttons_for(str(status)) == expected


@pytest.mark.parametrize("status", list(Status))
def test_buttons_are_the_legal_verbs_that_have_a_button(status):
    """The transition table decides the buttons; a quiet (snoozed or silenced) card
    leaves out only Escalate, which is legal there but would keep the alert quiet."""
    with_button = {verb for verb in A.ACTION_VERB.values() if verb is not None}
    legal = {verb for verb in with_button if transitions.next_status(verb, status) is not None}
    offered = [A.ACTION_VERB[action] for action in A.buttons_for(status)]
    quiet = {Verb.ESCALATE} if status in (Status.SNOOZED, Status.SILENCED) else set()
    assert quiet <= legal
    assert sorted(offered) == sorted(legal - quiet)


def test_buttons_for_covers_every_status_and_refuses_unknown():
    for status in Status:
        assert A.buttons_for(status)
    with pytest.raises(ValueError, match="unknown alert status 'exploded'"):
        A.buttons_for("exploded")


def test_card_actions_split_and_filter():
    primary, secondary = A.card_actions(Status.CLAIMED)
    assert primary == (A.PROPOSE, A.ESCALATE, A.RESOLVE, A.SNOOZE)
    assert secondary == (A.RELEASE, A.SIGNIFICANT, A.HISTORY)
    assert A.card_actions(Status.CLAIMED, flagged=True)[1] == (A.RELEASE, A.HISTORY)
    primary, secondary = A.card_actions(Status.CLAIMED, frozenset({A.RESOLVE}))
    assert primary == (A.RESOLVE,)
    assert secondary == (A.HISTORY,)  # History is read-only, never filtered out
    assert A.card_actions(Status.OPEN, frozenset()) == ((), (A.HISTORY,))


def test_fix_buttons_follow_the_fix_as_it_stands():
    """Retry on a failed fix; Done on a failed one or an approved manual one; neither
    while the fix runs or after it ran."""
    def shown(view):
        primary, _ = A.card_actions(view.status, None, view.remediation)
        return {a for a in primary if a in (A.RETRY, A.DONE)}

    assert shown(fix_failed()) == {A.RETRY, A.DONE}
    assert shown(fix_manual()) == {A.DONE}
    for status in ("approved", "executing", "executed", "done", "expired"):
        assert shown(fix_view(status)) == set(), status
    primary, _ = A.card_actions(Status.REMEDIATION_APPROVED, frozenset({A.DONE}),
                                fix_failed().remediation)
    assert primary == (A.DONE,)  # and what a viewer may do still filters them


def test_approve_opens_a_form_only_when_the_fix_needs_a_reason():
    assert A.opens_form(A.APPROVE, fix_pending_reason())
    assert not A.opens_form(A.APPROVE, pending_view())
    assert A.opens_form(A.DONE, fix_manual()) and A.opens_form(A.RESOLVE, base_view())
    assert not A.opens_form(A.CLAIM, base_view())


def test_form_specs_cover_form_actions_only():
    assert set(A.FORM_ACTIONS) == {A.PROPOSE, A.ESCALATE, A.RESOLVE, A.SNOOZE, A.DONE,
                                   A.APPROVE, A.SIGNIFICANT}
    assert forms.form_keys(A.SIGNIFICANT) == ("note",)
    assert forms.form_keys(A.PROPOSE) == ("remediation", "note")
    assert forms.form_keys(A.ESCALATE) == ("reason", "mode")
    assert forms.form_keys(A.RESOLVE) == ("note", "classification")
    assert forms.form_keys(A.SNOOZE) == ("duration",)
    assert forms.form_keys(A.DONE) == ("note",)
    assert forms.form_keys(A.APPROVE) == ("reason",)
    snooze = forms.form_spec(A.SNOOZE).fields[0]
    assert [value for value, _ in snooze.options] == ["15m", "1h", "4h", "24h"]
    with pytest.raises(ValueError, match="has no form"):
        forms.form_spec(A.CLAIM)


def test_resolving_asks_for_a_classification_only_for_a_graph_alert():
    assert [f.key for f in forms.form_for(base_view(), A.RESOLVE).fields] == ["note"]
    graph = forms.form_for(base_view(source="graph"), A.RESOLVE).fields
    assert [f.key for f in graph] == ["note", "classification"]
    assert graph[1].initial == "unknown" and not graph[1].optional
    assert [v for v, _ in graph[1].options] == [
        "unknown", "falsePositive", "truePositive", "informationalExpectedActivity"]


def test_done_approval_and_significant_forms_require_their_text():
    assert [(f.key, f.optional) for f in forms.form_spec(A.DONE).fields] == [("note", False)]
    assert [(f.key, f.optional) for f in forms.form_spec(A.SIGNIFICANT).fields] == [
        ("note", False)]
    assert [(f.key, f.optional) for f in forms.form_spec(A.APPROVE).fields] == [
        ("reason", False)]
