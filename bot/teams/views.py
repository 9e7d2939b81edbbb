"""Teams cards for one viewer: the buttons their role allows, plus the refresh list."""

import time
from collections.abc import Callable

from cards import actions as A
from cards.teams import MAX_REFRESH_USERS, card, render_alert, text_block
from handlers.commands import Identity
from handlers.config import TandemConfig
from handlers.lifecycle import allowed_verbs, configured_actor
from handlers.views import AlertView
from storage import teams as refs
from storage.db import Database

REFRESH_TTL = 30.0


class RefreshUsers:
    """Teams ids of a tenant's people, whose clients refresh a card per viewer.

    Every click re-renders a card, and the list only grows when someone new talks to
    Tandem, so it is cached for a short while per tenant.
    """

    def __init__(self, db: Database, ttl: float = REFRESH_TTL,
                 clock: Callable[[], float] = time.monotonic):
        self._db, self._ttl, self._clock = db, ttl, clock
        self._cache: dict[str, tuple[float, list[str]]] = {}

    async def get(self, tenant_id: str) -> list[str]:
        hit = self._cache.get(tenant_id)
        if hit and hit[0] > self._clock():
            return hit[1]
        async with self._db.read() as session:
            people = await refs.people_of_tenant(session, tenant_id, MAX_REFRESH_USERS)
        users = [p.user_id for p in people if p.user_id is not None]
        self._cache[tenant_id] = (self._clock() + self._ttl, users)
        return users


def render_for(cfg: TandemConfig, view: AlertView, users: list[str],
               who: Identity | None = None) -> dict:
    """The card for `who` (None: the channel card everyone gets before their refresh)."""
    allowed = None
    if who is not None:
        allowed = A.action_ids(allowed_verbs(cfg, configured_actor(cfg, who.email), view))
    return render_alert(view, allowed, users)


def with_notice(card: dict, text: str) -> dict:
    """The card with a line for the clicker on top (a refusal, a stale click)."""
    notice = text_block(text, color="attention", weight="Bolder")
    return {**card, "body": [notice, *card["body"]]}


def notice_card(text: str) -> dict:
    """A card that shows only `text`: what replaces an alert card its viewer may not see."""
    return card([text_block(text, weight="Bolder")], [], text)
