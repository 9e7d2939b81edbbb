"""The plain-text renderers chat command answers use (handlers.chat.commands.TextRender).

One instance serves Slack and Teams alike, so both answer `list`, `show` and
`history` in the same words as the CLI.
"""

from datetime import datetime

from cards import text
from cards.format import format_time
from handlers.views import AlertView, HistoryEntry


class PlainText:
    def alert(self, view: AlertView) -> str:
        return text.render_alert(view)

    def line(self, view: AlertView) -> str:
        return text.summary(view)

    def history(self, short_id: str, entries: list[HistoryEntry], timezone: str) -> str:
        return text.render_history(short_id, entries, timezone)

    def time(self, at: datetime, timezone: str) -> str:
        return format_time(at, timezone)
