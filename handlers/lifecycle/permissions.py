"""Which verbs a person may use on an alert right now, for cards that show each viewer
only the buttons their role allows (Teams refreshes a card per viewer).

It asks the questions dispatch() asks before acting (tenant, lifecycle, the fix's own
state, claim conflict, policy) through the same functions, on the alert's view instead
of its row, so a card can be re-rendered per viewer without another database round trip.
"""

from handlers import significant as significance
from handlers.commands import Command, Identity
from handlers.config.schema import TandemConfig
from handlers.enums import Verb
from handlers.lifecycle import policy, transitions
from handlers.lifecycle.dispatch import claimed_by_other
from handlers.people.resolve import Actor, actor_of
from handlers.remediation.states import fix_refusal
from handlers.views import AlertView


def configured_actor(cfg: TandemConfig, email: str | None) -> Actor | None:
    """The configured person with this email as an Actor (config is the source of truth)."""
    person = cfg.person(email)
    return actor_of(person) if person else None


def _permitted(cfg: TandemConfig, actor: Actor, verb: Verb, view: AlertView,
               subject: policy.Subject) -> bool:
    if transitions.next_status(verb, view.status) is None or fix_refusal(verb, view):
        return False
    probe = Command(verb, view.short_id, Identity(email=actor.email))
    if claimed_by_other(probe, actor, subject):
        return False
    if policy.refusal(actor, verb, subject, cfg.approval) is not None:
        return False
    return significance.problem(verb, {}, actor, view) is None  # flagged once


def allowed_verbs(cfg: TandemConfig, actor: Actor | None, view: AlertView) -> frozenset[Verb]:
    """The verbs `actor` may use on the alert; empty for strangers and other tenants."""
    if actor is None or view.tenant_id not in actor.tenants:
        return frozenset()
    subject = policy.subject_of(view)
    return frozenset(v for v in Verb if _permitted(cfg, actor, v, view, subject))
