import pytest

from cards import actions as A
from cards import forms
from cards import slack_modals as M

from .checks import check_golden, check_slack_modal
from .samples import CATALOGUE, FORMS, fix_failed, pending_view


@pytest.mark.parametrize("name", sorted(FORMS))
def test_golden_and_valid(name):
    action, view = FORMS[name]
    modal = M.render_modal(view(), action, CATALOGUE)
    check_slack_modal(modal)
    check_golden(f"slack_modal_{name}", modal)
    assert modal["type"] == "modal"
    assert modal["callback_id"] == action
    payload = A.ButtonPayload.decode(modal["private_metadata"])
    assert payload == A.ButtonPayload("ACME-142", view().state_version, action)


@pytest.mark.parametrize("view", [pending_view, fix_failed])
def test_inputs_use_form_keys_as_block_and_action_ids(view):
    for action in A.FORM_ACTIONS:
        modal = M.render_modal(view(), action, CATALOGUE)
        inputs = [b for b in modal["blocks"] if b["type"] == "input"]
        keys = [f.key for f in forms.form_for(view(), action).fields]
        assert [b["block_id"] for b in inputs] == keys
        assert [b["element"]["action_id"] for b in inputs] == keys
        assert set(keys) <= set(forms.form_keys(action))


def state_values(**values) -> dict:
    """view.state.values as Slack sends it on view_submission."""
    out = {}
    for key, (kind, value) in values.items():
        if kind == "plain_text_input":
            state = {"type": kind, "value": value}
        else:
            option = None if value is None else {"text": {"type": "plain_text", "text": "x"},
                                                  "value": value}  # fmt: skip
            state = {"type": kind, "selected_option": option}
        out[key] = {key: state}
    return out


def test_parse_submission_reads_every_element_kind():
    values = state_values(
        remediation=("static_select", "restart-service"),
        note=("plain_text_input", None),
        mode=("radio_buttons", "other_side"),
        reason=("plain_text_input", "  disk still filling  "),
        duration=("static_select", None),
    )
    assert M.parse_submission(values) == {
        "remediation": "restart-service",
        "note": "",
        "mode": "other_side",
        "reason": "  disk still filling  ",
        "duration": "",
    }


def test_parse_submission_of_empty_state():
    assert M.parse_submission({}) == {}


def test_propose_needs_a_catalogue():
    with pytest.raises(ValueError, match="no options"):
        M.render_modal(pending_view(), A.PROPOSE, [])


def test_long_catalogue_titles_are_cut_to_option_limit():
    modal = M.render_modal(pending_view(), A.PROPOSE, [("r1", "R" * 200)])
    check_slack_modal(modal)
    with pytest.raises(ValueError, match="longer than 150"):
        M.render_modal(pending_view(), A.PROPOSE, [("r" * 151, "too long an id")])
