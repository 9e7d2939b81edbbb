"""What an alert's page shows: the chat card's content (cards.format, cards.fixes,
cards.significant) and its buttons, from the same action table (cards.actions) with
the same forms (cards.forms), for the verbs its reader may use now.

The console adds one thing chat has as a command only: a Comment form, when the reader
may comment.
"""

from dataclasses import dataclass

from cards import actions as A
from cards import format as F
from cards.fixes import form_about, remediation_lines
from cards.forms import FormField, FormSpec, form_for, form_keys, form_spec
from cards.significant import significant_lines
from handlers.console import AlertPage, FixChoice
from handlers.enums import Status, Verb
from handlers.views import AlertView

COMMENT = "comment"  # the console's Comment form; chat comments by command
STYLES = {A.CLAIM: "primary", A.REJECT: "danger"}
COMMENT_FORM = FormSpec(COMMENT, "Comment", "Add comment",
                        (FormField("text", "Comment", "multiline"),))


@dataclass(frozen=True)
class Button:
    action: str  # an action id of cards.actions, or COMMENT
    title: str
    form: FormSpec | None = None  # None: one click is the command
    about: str = ""  # the line a form shows above its fields
    secondary: bool = False
    style: str = ""  # primary, danger: as Slack styles the button


@dataclass(frozen=True)
class Card:
    view: AlertView
    headline: str  # the card's, its severity a coloured dot rather than an emoji
    colour: str  # good, attention, warning, accent, default: as the Teams header
    facts: list[tuple[str, str]]
    significant: list[str]
    source_ack: str
    labels: str
    description: str
    links: list[tuple[str, str]]  # (name, url): http(s) only
    fix: tuple[str, list[str]] | None  # heading and lines, while the status is about it
    fix_waiting: bool  # the fix waits for a decision that needs attention, or failed
    buttons: list[Button]
    unbound: list[FixChoice]  # with Propose: catalogue fixes this alert cannot have, and why


def _choice(fix: FixChoice) -> str:
    notes = [" (needs an internal approver)" if fix.needs_internal_approver else "",
             " (approving it needs a reason)" if fix.reason_required else ""]
    return fix.described + "".join(notes)


def _button(view: AlertView, action: str, catalogue: list[tuple[str, str]],
            secondary: bool) -> Button:
    form = form_for(view, action, catalogue) if A.opens_form(action, view) else None
    return Button(action, F.action_title(action, view), form, form_about(view, action),
                  secondary, STYLES.get(action, ""))


def buttons(page: AlertPage) -> list[Button]:
    view = page.view
    primary, secondary = A.card_actions(view.status, A.action_ids(page.allowed),
                                        view.remediation, flagged=view.significant is not None)
    catalogue = [(f.id, _choice(f)) for f in page.fixes if f.problem is None]
    shown = [_button(view, a, catalogue, False) for a in primary]
    shown += [_button(view, a, catalogue, True) for a in secondary if a != A.HISTORY]
    if Verb.COMMENT in page.allowed:
        shown.append(Button(COMMENT, "Comment", COMMENT_FORM, secondary=True))
    return shown


def card(page: AlertPage) -> Card:
    view = page.view
    rem = view.remediation
    fix = None
    if rem is not None and view.status != Status.RESOLVED:
        fix = remediation_lines(rem, view.timezone)
    shown = buttons(page)
    proposing = any(b.action == A.PROPOSE for b in shown)
    return Card(
        view=view, headline=f"{view.short_id} · {view.title}", colour=F.header_colour(view),
        facts=F.fields(view), significant=significant_lines(view),
        source_ack=F.source_ack_text(view), labels=F.labels_text(view, sep=" · "),
        description=F.description(view), links=F.link_items(view), fix=fix,
        fix_waiting=rem is not None and ((rem.needs_internal_approver and
                                          rem.decided_by is None) or rem.status == "failed"),
        buttons=shown,
        unbound=[f for f in page.fixes if f.problem is not None] if proposing else [])


def fields_of(action: str) -> tuple[frozenset[str], dict[str, str]]:
    """The fields a submission of `action` may carry, and its required ones as {key:
    label}; none for a one-click action. An alert's form differs from another's only in
    its choices and, for a Graph alert, the classification, which always has a value."""
    if action == COMMENT:
        spec = COMMENT_FORM
    elif action in A.FORM_ACTIONS:
        spec = form_spec(action)
    else:
        return frozenset(), {}
    required = {f.key: f.label for f in spec.fields if not f.optional}
    keys = form_keys(action) if action != COMMENT else tuple(required)
    return frozenset(keys), required


def verb_of(action: str) -> Verb | None:
    """The verb a page's action asks for; None for anything that is not one."""
    if action == COMMENT:
        return Verb.COMMENT
    try:
        return A.command_verb(action)
    except (KeyError, ValueError):
        return None
