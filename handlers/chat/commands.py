"""The chat command set, channel-neutral: Slack's /tandem and Teams' messages both run it.

run() parses one line (parse.py), acts through the command API
(handlers.lifecycle.dispatch.execute), reads through handlers.reads, leaves tenant-wide commands
to silences.py and tenant.py (on-call), and returns a Reply the adapter
shows: only to the asker (ephemeral) unless the command changed shared state.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from handlers.chat import silences
from handlers.chat import tenant as chat_tenant
from handlers.chat.parse import (
    HELP,
    Act,
    OnCall,
    Read,
    SilenceAdd,
    SilenceExpire,
    SilenceList,
    Usage,
    parse,
)
from handlers.commands import Command, Identity, Outcome, Result
from handlers.config.schema import TandemConfig
from handlers.lifecycle.dispatch import execute
from handlers.reads import scoped
from handlers.views import AlertView, HistoryEntry
from storage.unit import Store

LIST_LIMIT = 20


@dataclass(frozen=True)
class Reply:
    """What the adapter shows; `command` and `result` are the state change the text ran,
    if any, so the adapter can tell what was carried out (bot.metrics counts decisions)."""

    text: str
    ephemeral: bool = True
    view: AlertView | None = None  # the alert's state now, so the caller can refresh its card
    command: Command | None = None
    result: Result | None = None


class TextRender(Protocol):
    """The plain-text renderers, passed in by the adapter (handlers never import cards/);
    cards.chat_text.PlainText is the one both chat platforms use."""

    def alert(self, view: AlertView) -> str: ...

    def line(self, view: AlertView) -> str: ...

    def history(self, short_id: str, entries: list[HistoryEntry], timezone: str) -> str: ...

    def time(self, at: datetime, timezone: str) -> str: ...


@dataclass(frozen=True)
class Asked:
    """Who typed the command, and in which chat channel (which picks the tenant)."""

    who: Identity
    platform: str | None = None
    channel: str | None = None


async def run(db: Store, cfg: TandemConfig, asked: Asked, text: str, render: TextRender, *,
              key: str | None = None, now: datetime | None = None) -> Reply:
    """Answer one chat command; `key` makes a replayed state change a no-op."""
    try:
        request = parse(text)
    except Usage as error:
        return Reply(str(error))
    at = now or datetime.now(UTC)
    hinted = chat_tenant.channel_tenant(cfg, asked.platform, asked.channel)
    who = asked.who
    match request:
        case Act():
            return await _act(db, cfg, who, request, key, at)
        case Read():
            return await _read(db, cfg, who, request, render)
        case SilenceAdd():
            return _reply(await silences.add(db, cfg, who, hinted, request, render.time, at))
        case SilenceList():
            return Reply(await silences.listing(db, cfg, who, hinted, render.time, at))
        case SilenceExpire(silence_id=silence_id):
            return _reply(await silences.expire(db, cfg, who, hinted, silence_id, at))
        case OnCall(rest=rest):
            return _reply(await chat_tenant.oncall(db, cfg, who, hinted, rest, at))
    return Reply(HELP)


def _reply(answer: tuple[str, bool]) -> Reply:
    text, changed = answer
    return Reply(text, ephemeral=not changed)


async def _act(db: Store, cfg: TandemConfig, who: Identity, request: Act, key: str | None,
               now: datetime) -> Reply:
    cmd = Command(request.verb, request.alert, who, request.args, idempotency_key=key)
    result = await execute(db, cfg, cmd, now)
    return Reply(result.message, ephemeral=result.outcome is not Outcome.DONE, view=result.view,
                 command=cmd, result=result)


async def _read(db: Store, cfg: TandemConfig, who: Identity, request: Read,
                render: TextRender) -> Reply:
    if request.what == "list":
        found = await scoped.list_alerts(db, cfg, who, None, request.arg, limit=LIST_LIMIT)
        if isinstance(found, str):
            return Reply(found)
        if not found:
            return Reply(f"No {request.arg} alerts.")
        more = [f"(the {LIST_LIMIT} newest)"] if len(found) == LIST_LIMIT else []
        return Reply("\n".join([*(render.line(v) for v in found), *more]))
    if request.what == "show":
        view = await scoped.show_alert(db, cfg, who, request.arg)
        return Reply(view) if isinstance(view, str) else Reply(render.alert(view), view=view)
    history = await scoped.alert_history(db, cfg, who, request.arg)
    if isinstance(history, str):
        return Reply(history)
    view, entries = history
    return Reply(render.history(view.short_id, entries, view.timezone), view=view)
