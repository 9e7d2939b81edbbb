"""Stable action ids, the typed button payload, and which actions a card offers.

Renderers and the chat adapters' routes both import the ids from here; a payload is
only a pointer to an alert at a version and is never trusted for authorisation. The
buttons a status offers follow from handlers' transition table, never a copy of it.
"""

import json
from dataclasses import dataclass

from handlers.enums import Status, Verb
from handlers.lifecycle.transitions import legal_verbs
from handlers.views import AlertView, RemediationView

CLAIM = "alert.claim"
RELEASE = "alert.release"
ESCALATE = "alert.escalate"
PROPOSE = "alert.propose"
APPROVE = "alert.approve"
REJECT = "alert.reject"
WITHDRAW = "alert.withdraw"
RESOLVE = "alert.resolve"
REOPEN = "alert.reopen"
SNOOZE = "alert.snooze"
RETRY = "alert.retry"
DONE = "alert.done"  # a fix carried out by hand: a manual one, or one that failed
SIGNIFICANT = "alert.significant"  # flag a significant incident (NIS2), with a reason
HISTORY = "alert.history"
REFRESH = "alert.refresh"  # Teams card refresh and form "Cancel": re-render, no change
OPEN = "alert.open"  # a storm card's row: post the alert's own card in the channel
OVERFLOW = "alert.more"  # Slack overflow menu's action_id; the chosen option's payload says which

# In the order a card shows the buttons.
ACTION_VERB: dict[str, Verb | None] = {
    CLAIM: Verb.CLAIM,
    PROPOSE: Verb.PROPOSE,
    APPROVE: Verb.APPROVE,
    REJECT: Verb.REJECT,
    RETRY: Verb.RETRY,
    DONE: Verb.DONE,
    ESCALATE: Verb.ESCALATE,
    RESOLVE: Verb.RESOLVE,
    SNOOZE: Verb.SNOOZE,
    RELEASE: Verb.RELEASE,
    WITHDRAW: Verb.WITHDRAW,
    REOPEN: Verb.REOPEN,
    SIGNIFICANT: Verb.SIGNIFICANT,
    HISTORY: None,
    REFRESH: None,
    OPEN: None,
}

# Actions that collect input first (Slack modal, Teams form) before becoming a command;
# Approve only on some alerts (opens_form).
FORM_ACTIONS = frozenset({PROPOSE, ESCALATE, RESOLVE, SNOOZE, DONE, APPROVE, SIGNIFICANT})
# Shown in Slack's overflow menu and as secondary actions in Teams.
SECONDARY = (RELEASE, WITHDRAW, SIGNIFICANT, HISTORY)

# A snoozed or silenced alert is quiet on purpose, and its card offers the ways out of
# the quiet: claim or resolve it. Escalating would leave it quiet, so there only the
# escalate command offers it.
_QUIET = (Status.SNOOZED, Status.SILENCED)

PAYLOAD_VERSION = 1
MAX_ALERT_ID = 64  # keeps an encoded payload under Slack's 150-char option value limit
MAX_ENCODED = 2000  # Slack's button value limit
_KEYS = {"v", "a", "n", "x"}


def buttons_for(status: Status | str) -> tuple[str, ...]:
    """The state-changing actions a card may show in this status (History not included):
    each legal verb that has a button (fits_fix picks those the alert's fix calls for)."""
    try:
        status = Status(status)
    except ValueError:
        raise ValueError(f"unknown alert status {status!r}") from None
    legal = legal_verbs(status) - ({Verb.ESCALATE} if status in _QUIET else set())
    return tuple(action for action, verb in ACTION_VERB.items() if verb in legal)


def command_verb(action: str) -> Verb:
    """The verb a state-changing button asks for. History and Refresh change nothing:
    every caller answers them as reads before it builds a command."""
    verb = ACTION_VERB[action]
    if verb is None:
        raise ValueError(f"button action {action!r} is a read, not a command")
    return verb


def action_ids(verbs: frozenset[Verb]) -> frozenset[str]:
    """The buttons of these verbs: what `card_actions` is given as `allowed` for one
    viewer (handlers.lifecycle.allowed_verbs), in Teams' per-viewer cards and the console."""
    return frozenset(a for a, verb in ACTION_VERB.items() if verb in verbs)


def opens_form(action: str, view: AlertView) -> bool:
    """Whether the button asks for input first on this alert's card: Approve does only
    for a fix whose approval needs a reason; elsewhere it is one click."""
    if action == APPROVE:
        return view.remediation is not None and view.remediation.reason_required
    return action in FORM_ACTIONS


def fits_fix(action: str, fix: RemediationView | None) -> bool:
    """Whether the alert's fix, as it stands, calls for this button: Retry is for a failed
    fix, Done for a failed one or an approved one a person carries out."""
    if action == RETRY:
        return fix is not None and fix.can_retry
    if action == DONE:
        return fix is not None and fix.can_mark_done
    return True


def card_actions(
    status: Status | str, allowed: frozenset[str] | None = None,
    fix: RemediationView | None = None, *, flagged: bool = False,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(primary, secondary) actions for a card showing `fix`; `allowed` filters all but
    History. An alert `flagged` as significant (NIS2) is flagged once."""
    shown = [a for a in buttons_for(status)
             if (allowed is None or a in allowed) and fits_fix(a, fix)
             and not (flagged and a == SIGNIFICANT)]
    primary = tuple(a for a in shown if a not in SECONDARY)
    secondary = tuple(a for a in shown if a in SECONDARY) + (HISTORY,)
    return primary, secondary


@dataclass(frozen=True)
class ButtonPayload:
    """What a button carries: which alert, at which version, asking for which action."""

    alert_id: str
    version: int
    action: str

    def __post_init__(self) -> None:
        if not isinstance(self.alert_id, str) or not self.alert_id.strip():
            raise ValueError("button payload: alert id must be a non-empty string")
        if len(self.alert_id) > MAX_ALERT_ID:
            raise ValueError(f"button payload: alert id longer than {MAX_ALERT_ID} characters")
        if isinstance(self.version, bool) or not isinstance(self.version, int):
            raise ValueError("button payload: version must be an integer")
        if not 0 <= self.version < 10**15:
            raise ValueError("button payload: version out of range")
        if self.action not in ACTION_VERB:
            raise ValueError(f"button payload: unknown action {self.action!r}")

    def encode(self) -> str:
        body = {"v": PAYLOAD_VERSION, "a": self.alert_id, "n": self.version, "x": self.action}
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def decode(cls, s: object) -> "ButtonPayload":
        """`s` comes straight from a chat platform's request, so any type is checked."""
        if not isinstance(s, str) or not s:
            raise ValueError("button payload: expected a non-empty string")
        if len(s) > MAX_ENCODED:
            raise ValueError(f"button payload: longer than {MAX_ENCODED} characters")
        try:
            body = json.loads(s)
        except json.JSONDecodeError as e:
            raise ValueError(f"button payload: not valid JSON ({e.msg})") from None
        if not isinstance(body, dict):
            raise ValueError("button payload: expected a JSON object")
        version = body.get("v")
        if type(version) is not int or version != PAYLOAD_VERSION:
            raise ValueError(f"button payload: unsupported payload version {version!r}")
        if set(body) != _KEYS:
            raise ValueError(f"button payload: expected keys {sorted(_KEYS)}, got {sorted(body)}")
        return cls(alert_id=body["a"], version=body["n"], action=body["x"])
