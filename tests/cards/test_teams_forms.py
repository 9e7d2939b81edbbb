import pytest

from cards import actions as A
from cards import slack_modals, teams_forms

from .checks import check_adaptive_card, check_golden
from .samples import CATALOGUE, FORMS, fix_failed, pending_view


def inputs(card: dict) -> list[dict]:
    return [e for e in card["body"] if e["type"].startswith("Input.")]


@pytest.mark.parametrize("name", sorted(FORMS))
def test_golden_and_valid(name):
    action, view = FORMS[name]
    card = teams_forms.render_form(view(), action, CATALOGUE)
    check_adaptive_card(card)
    check_golden(f"teams_form_{name}", card)
    submit, cancel = card["actions"]
    assert submit["type"] == "Action.Execute" and submit["verb"] == action
    assert A.ButtonPayload.decode(submit["data"]["payload"]).action == submit["verb"]
    assert submit["data"]["form"] == submit["verb"]
    assert cancel["verb"] == A.REFRESH and cancel["associatedInputs"] == "none"


@pytest.mark.parametrize("view", [pending_view, fix_failed])
def test_input_ids_match_slack_keys(view):
    for action in A.FORM_ACTIONS:
        card = teams_forms.render_form(view(), action, CATALOGUE)
        modal = slack_modals.render_modal(view(), action, CATALOGUE)
        slack_keys = [b["block_id"] for b in modal["blocks"] if b["type"] == "input"]
        assert [i["id"] for i in inputs(card)] == slack_keys


def test_both_platforms_give_the_same_domain_args():
    card = teams_forms.render_form(pending_view(), A.ESCALATE)
    data = dict(card["actions"][0]["data"], reason="still filling", mode="other_side")
    slack_state = {
        "reason": {"reason": {"type": "plain_text_input", "value": "still filling"}},
        "mode": {"mode": {"type": "radio_buttons", "selected_option": {"value": "other_side"}}},
    }
    expected = {"reason": "still filling", "mode": "other_side"}
    assert teams_forms.parse_submission(data) == expected
    assert slack_modals.parse_submission(slack_state) == expected


def test_a_resolve_form_without_a_classification_reads_back_empty():
    card = teams_forms.render_form(pending_view(), A.RESOLVE)
    data = dict(card["actions"][0]["data"], note="freed space")
    assert teams_forms.parse_submission(data) == {"note": "freed space", "classification": ""}


def test_parse_submission_fills_missing_optional_inputs():
    card = teams_forms.render_form(pending_view(), A.PROPOSE, CATALOGUE)
    data = dict(card["actions"][0]["data"], remediation="revoke-sessions")
    assert teams_forms.parse_submission(data) == {"remediation": "revoke-sessions", "note": ""}


def test_card_button_click_is_not_a_form_submission():
    data = {"payload": A.ButtonPayload("ACME-142", 3, A.ESCALATE).encode()}
    assert not teams_forms.is_form_submission(data)
    with pytest.raises(ValueError, match="not a Tandem form submission"):
        teams_forms.parse_submission(data)


def test_defaults_and_required():
    snooze = inputs(teams_forms.render_form(pending_view(), A.SNOOZE))[0]
    assert snooze["value"] == "1h" and snooze["isRequired"] is True
    assert [c["value"] for c in snooze["choices"]] == ["15m", "1h", "4h", "24h"]
    note = inputs(teams_forms.render_form(pending_view(), A.PROPOSE, CATALOGUE))[1]
    assert note["isRequired"] is False
    with pytest.raises(ValueError, match="no options"):
        teams_forms.render_form(pending_view(), A.PROPOSE, [])
