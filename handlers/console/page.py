"""An alert's page in the console: the view its cards show, the verbs its reader may use
now, the fixes they could propose, and its timeline from the audit log.

Which buttons show follows from `allowed` through the action table the chat cards use
(cards.actions.card_actions, with cards.actions.action_ids(allowed)): the page layer
renders them, so the console offers what Slack and Teams offer this person.
"""

from dataclasses import dataclass

from handlers.commands import Identity
from handlers.config.schema import TandemConfig
from handlers.console.timeline import Timeline, timeline
from handlers.enums import Verb
from handlers.lifecycle import allowed_verbs
from handlers.lifecycle.policy import needs_internal_for_fix
from handlers.people.resolve import Actor, not_known, resolve
from handlers.reads import show_alert
from handlers.remediation import Unbound, bind, described
from handlers.views import AlertView
from storage.unit import Store


@dataclass(frozen=True)
class FixChoice:
    """A catalogue fix as the Propose form offers it for this alert."""

    id: str
    title: str
    described: str  # "Revoke all sign-in sessions of jo@acme.example": its bound target
    needs_internal_approver: bool  # were the reader to propose it
    reason_required: bool  # approving it needs a reason
    problem: str | None = None  # why it cannot be proposed here (the alert lacks a label)


@dataclass(frozen=True)
class AlertPage:
    view: AlertView  # the same view the cards render
    allowed: frozenset[Verb]  # what the reader may do now (handlers.lifecycle.allowed_verbs)
    fixes: tuple[FixChoice, ...]  # the catalogue, bound to this alert
    timeline: Timeline


def fix_choices(cfg: TandemConfig, actor: Actor, view: AlertView) -> tuple[FixChoice, ...]:
    choices = []
    for fix in cfg.remediations:
        try:
            target, problem = bind(fix, view), None
        except Unbound as error:
            target, problem = {}, str(error)
        choices.append(FixChoice(
            id=fix.id, title=fix.title, described=described(fix.title, target),
            needs_internal_approver=needs_internal_for_fix(cfg, view.tenant_id, fix,
                                                           view.severity, actor.side),
            reason_required=fix.needs_reason, problem=problem))
    return tuple(choices)


async def alert_page(db: Store, cfg: TandemConfig, who: Identity,
                     short_id: str) -> AlertPage | str:
    """The page of `short_id` for `who`, or chat's sentence: an unknown alert and another
    tenant's get the same one (handlers.people.refusals.unavailable), audited as chat's
    `show` is."""
    view = await show_alert(db, cfg, who, short_id)
    if isinstance(view, str):
        return view
    actor = resolve(cfg, who)
    if actor is None:  # show_alert answered, so `who` is a configured person
        return not_known(who, cfg)
    async with db.read() as session:
        events = await timeline(session, view.tenant_id, view.short_id)
    return AlertPage(view, allowed_verbs(cfg, actor, view), fix_choices(cfg, actor, view),
                     events)
