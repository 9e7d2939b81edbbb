"""The forms that collect input before a button becomes a command
(cards.actions.FORM_ACTIONS): their fields, once, for Slack modals and Teams forms.

Both platforms' submissions come back as {field key: value} with the same keys, and
each key is the command's argument name.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from cards.actions import APPROVE, DONE, ESCALATE, PROPOSE, RESOLVE, SIGNIFICANT, SNOOZE
from handlers.enums import Classification
from handlers.views import AlertView

REMEDIATION, NOTE, REASON, MODE, DURATION = "remediation", "note", "reason", "mode", "duration"
CLASSIFICATION = "classification"
ESCALATE_MODES = (("next_level", "Next level"), ("other_side", "Hand to the other side"))
SNOOZE_DURATIONS = (("15m", "15 minutes"), ("1h", "1 hour"), ("4h", "4 hours"), ("24h", "24 hours"))
_CLASSIFICATION_TITLES = {
    Classification.UNKNOWN: "Unknown",
    Classification.FALSE_POSITIVE: "False positive",
    Classification.TRUE_POSITIVE: "True positive",
    Classification.INFORMATIONAL: "Informational, expected activity",
}
CLASSIFICATIONS = tuple((c.value, _CLASSIFICATION_TITLES[c]) for c in Classification)


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    kind: str  # "select" | "radio" | "text" | "multiline"
    options: tuple[tuple[str, str], ...] = ()  # (value, title)
    optional: bool = False
    initial: str | None = None


@dataclass(frozen=True)
class FormSpec:
    action: str
    title: str
    submit: str
    fields: tuple[FormField, ...]


_FORM_TITLES = {
    PROPOSE: ("Propose a fix", "Propose"),
    ESCALATE: ("Escalate", "Escalate"),
    RESOLVE: ("Resolve", "Resolve"),
    SNOOZE: ("Snooze", "Snooze"),
    DONE: ("Mark the fix done", "Done"),
    APPROVE: ("Approve the fix", "Approve"),
    SIGNIFICANT: ("Significant incident", "Flag"),
}


def form_for(view: AlertView, action: str, catalogue: Sequence[tuple[str, str]] = ()) -> FormSpec:
    """The form `action` opens on this alert's card."""
    return form_spec(action, catalogue, graph=view.from_graph)


def form_spec(action: str, catalogue: Sequence[tuple[str, str]] = (), *,
              graph: bool = False) -> FormSpec:
    """The form for a FORM_ACTIONS action; `catalogue` is (remediation id, title) pairs;
    `graph`: the alert came from Microsoft Graph, so resolving it asks how to classify it
    there."""
    if action not in _FORM_TITLES:
        raise ValueError(f"action {action!r} has no form")
    classify = (FormField(CLASSIFICATION, "Classification in Microsoft Graph", "select",
                          CLASSIFICATIONS, initial=Classification.UNKNOWN.value),)
    fields = {
        PROPOSE: (
            FormField(REMEDIATION, "Remediation", "select", tuple(catalogue)),
            FormField(NOTE, "Note for the approver", "text", optional=True),
        ),
        ESCALATE: (
            FormField(REASON, "Reason", "multiline"),
            FormField(MODE, "Escalate to", "radio", ESCALATE_MODES, initial="next_level"),
        ),
        RESOLVE: (FormField(NOTE, "Resolution note", "multiline"), *(classify if graph else ())),
        SNOOZE: (FormField(DURATION, "Snooze for", "select", SNOOZE_DURATIONS, initial="1h"),),
        DONE: (FormField(NOTE, "What was done", "multiline"),),
        APPROVE: (FormField(REASON, "Why approve it", "multiline"),),
        SIGNIFICANT: (FormField(NOTE, "Why it is significant under NIS2", "multiline"),),
    }[action]
    return FormSpec(action, *_FORM_TITLES[action], fields)


def form_keys(action: str) -> tuple[str, ...]:
    """Every field a submission of `action`'s form may carry, whichever alert it was for."""
    return tuple(f.key for f in form_spec(action, graph=True).fields)
