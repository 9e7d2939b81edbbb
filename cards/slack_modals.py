"""Slack modals for the actions that need input first (cards.actions.FORM_ACTIONS).

Each modal's callback_id is the action id and its private_metadata the encoded
ButtonPayload; every input's block_id and action_id is the form field key, so
parse_submission() gives back {field key: value} for any of them.
"""

from collections.abc import Sequence
from typing import Any

from cards import actions as A
from cards import format as F
from cards import forms
from cards.fixes import form_about
from cards.slack import plain
from handlers.views import AlertView

INPUT_LIMIT = 3000
OPTION_TEXT_LIMIT = 75
OPTION_VALUE_LIMIT = 150


def render_modal(
    view: AlertView, action: str, catalogue: Sequence[tuple[str, str]] = ()
) -> dict[str, Any]:
    spec = forms.form_for(view, action, catalogue)
    about = form_about(view, action)
    intro = [{"type": "section", "text": plain(text)} for text in (F.headline(view), about) if text]
    return {
        "type": "modal",
        "callback_id": action,
        "private_metadata": A.ButtonPayload(view.short_id, view.state_version, action).encode(),
        "title": plain(spec.title, 24),
        "submit": plain(spec.submit, 24),
        "close": plain("Cancel", 24),
        "blocks": [*intro, *(_input_block(field) for field in spec.fields)],
    }


def parse_submission(view_state_values: dict[str, Any]) -> dict[str, str]:
    """view.state.values of a view_submission -> {action_id: submitted value or ""}."""
    out: dict[str, str] = {}
    for block in view_state_values.values():
        for action_id, state in block.items():
            out[action_id] = _state_value(state)
    return out


def _state_value(state: dict[str, Any]) -> str:
    if state.get("selected_option"):
        return str(state["selected_option"].get("value", ""))
    return str(state.get("value") or "")


def _input_block(field: forms.FormField) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": field.key,
        "optional": field.optional,
        "label": plain(field.label, 2000),
        "element": _element(field),
    }


def _element(field: forms.FormField) -> dict[str, Any]:
    if field.kind in ("text", "multiline"):
        return {
            "type": "plain_text_input",
            "action_id": field.key,
            "multiline": field.kind == "multiline",
            "max_length": INPUT_LIMIT,
        }
    if not field.options:
        raise ValueError(f"form field {field.key!r} has no options to choose from")
    options = [_option(value, title) for value, title in field.options]
    element: dict[str, Any] = {
        "type": "static_select" if field.kind == "select" else "radio_buttons",
        "action_id": field.key,
        "options": options[:100],
    }
    if field.kind == "select":
        element["placeholder"] = plain(f"Choose {field.label.lower()}", 150)
    initial = next((o for o in options if o["value"] == field.initial), None)
    if initial is not None:
        element["initial_option"] = initial
    return element


def _option(value: str, title: str) -> dict[str, Any]:
    if len(value) > OPTION_VALUE_LIMIT:
        raise ValueError(f"option value longer than {OPTION_VALUE_LIMIT} characters: {value!r}")
    return {"text": plain(title, OPTION_TEXT_LIMIT), "value": value}
