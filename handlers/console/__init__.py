"""The web console's domain: the board, an alert's page, actions, the live feed, on-call
and silences, for the page layer (bot/web) to render. A third adapter over the same
Command and views as Slack and Teams: every read is scoped to the person's tenants and
every change runs through handlers.lifecycle.execute or chat's silence rules."""

from handlers.console.act import act
from handlers.console.board import (
    BoardFilters,
    BoardPage,
    PageRequest,
    State,
    TenantChoice,
    board,
)
from handlers.console.duty import on_call
from handlers.console.feed import RELOAD, Feed, Subscription, Update
from handlers.console.page import AlertPage, FixChoice, alert_page
from handlers.console.rows import BoardRow, FixState
from handlers.console.silences import (
    SilenceRequest,
    SilenceRow,
    add_silence,
    expire_silence,
    silences,
)
from handlers.console.timeline import Timeline, TimelineEntry
from handlers.console.viewer import viewer

__all__ = [
    "RELOAD", "AlertPage", "BoardFilters", "BoardPage", "BoardRow", "Feed", "FixChoice",
    "FixState", "PageRequest", "SilenceRequest", "SilenceRow", "State", "Subscription",
    "TenantChoice", "Timeline", "TimelineEntry", "Update", "act", "add_silence", "alert_page",
    "board", "expire_silence", "on_call", "silences", "viewer",
]
