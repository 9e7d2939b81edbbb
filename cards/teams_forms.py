"""Adaptive Card forms for the actions that need input first (cards.actions.FORM_ACTIONS).

The submit is an Action.Execute whose verb is the action id; its data carries the
payload plus {"form": action id}, which tells the adapter "this is the filled-in form,
not the card button that asks for it". Input ids are the form field keys, the same
keys cards.slack_modals.parse_submission returns, and parse_submission below reads
them back from the Action.Execute data.
"""

from collections.abc import Sequence
from typing import Any

from cards import actions as A
from cards import format as F
from cards import forms
from cards.fixes import form_about
from cards.teams import card, execute, text_block
from handlers.views import AlertView

FORM_MARKER = "form"
INPUT_LIMIT = 3000


def render_form(
    view: AlertView, action: str, catalogue: Sequence[tuple[str, str]] = ()
) -> dict[str, Any]:
    spec = forms.form_for(view, action, catalogue)
    about = form_about(view, action)
    body = [
        text_block(spec.title, size="Medium", weight="Bolder"),
        text_block(F.headline(view), isSubtle=True),
        *([text_block(about)] if about else []),
        *(_input(field) for field in spec.fields),
    ]
    submit = execute(view, action, spec.submit, style="positive")
    submit["data"][FORM_MARKER] = action
    cancel = execute(view, A.REFRESH, "Cancel", associatedInputs="none")
    return card(body, [submit, cancel], f"{spec.title}: {F.summary_line(view)}")


def is_form_submission(data: dict[str, Any]) -> bool:
    return data.get(FORM_MARKER) in A.FORM_ACTIONS


def parse_submission(data: dict[str, Any]) -> dict[str, str]:
    """Action.Execute data of a submitted form -> {field key: value or ""}."""
    if not is_form_submission(data):
        raise ValueError("not a Tandem form submission")
    return {key: str(data.get(key) or "") for key in forms.form_keys(data[FORM_MARKER])}


def _input(field: forms.FormField) -> dict[str, Any]:
    common = {
        "id": field.key,
        "label": field.label,
        "isRequired": not field.optional,
        "errorMessage": f"{field.label} is required",
    }
    if field.kind in ("text", "multiline"):
        multiline = field.kind == "multiline"
        return {"type": "Input.Text", **common, "isMultiline": multiline, "maxLength": INPUT_LIMIT}
    if not field.options:
        raise ValueError(f"form field {field.key!r} has no options to choose from")
    choices = [{"title": title, "value": value} for value, title in field.options]
    style = "compact" if field.kind == "select" else "expanded"
    element = {"type": "Input.ChoiceSet", **common, "style": style, "choices": choices}
    if field.initial is not None:
        element["value"] = field.initial
    return element
