"""Which verbs a person may use on an alert right now, for cards that show each viewer
only the buttons their role allows (Teams refreshes a card per viewer).

It asks the same questions dispatch() asks before acting (tenant, lifecycle, claim
conflict, policy), through the same functions, so a shown button is one that works.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import lifecycle, policy
from handlers.actions import _claimed_by_other, _subject
from handlers.commands import Command, Identity
from handlers.config import TandemConfig
from handlers.enums import Status, Verb
from handlers.people import Actor, resolve
from storage import queries
from storage.models import Alert


def _permitted(cfg: TandemConfig, actor: Actor, verb: Verb, alert: Alert,
               subject: policy.Subject) -> bool:
    if lifecycle.next_status(verb, Status(alert.status)) is None:
        return False
    if _claimed_by_other(Command(verb, alert.short_id, Identity(email=actor.email)), actor,
                         subject):
        return False
    return policy.refusal(actor, verb, subject, cfg.approval) is None


async def allowed_verbs(session: AsyncSession, cfg: TandemConfig, who: Identity,
                        short_id: str) -> frozenset[Verb]:
    """The verbs `who` may use on `short_id`; empty for strangers and other tenants."""
    actor = await resolve(session, who)
    alert = await queries.alert_by_short_id(session, short_id)
    if actor is None or alert is None or alert.tenant_id not in actor.tenants:
        return frozenset()
    subject = await _subject(session, alert)
    return frozenset(v for v in Verb if _permitted(cfg, actor, v, alert, subject))
