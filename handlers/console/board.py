"""The console's alert board: the alerts a person may see, filtered, newest first, a page
at a time, with the counts per severity the filter chips show.

Only the person's tenants are ever read: a tenant filter naming another is refused with
the sentence an unknown one gets, and a page position (cursor.py) is only a position.
"""

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from handlers.commands import Identity
from handlers.config.schema import TandemConfig
from handlers.console import cursor
from handlers.console.rows import BoardRow, board_rows
from handlers.console.viewer import not_theirs, tenants_of, viewer
from handlers.enums import Severity, Status
from handlers.people.resolve import Actor
from storage import board as stored
from storage.unit import Store

DEFAULT_SIZE, MAX_SIZE = 50, 200
MAX_TEXT = 100  # a search longer than any title worth typing is refused
MAX_SOURCE = 64  # as long as a stored source can be
# Counting the resolved history could mean reading every alert ever; past this many
# matches the chips go without numbers.
COUNT_CAP = 50_000


class State(StrEnum):
    OPEN = "open"  # work to do: unresolved and not silenced
    MINE = "mine"  # open, and owned by the reader
    UNCLAIMED = "unclaimed"  # open, and owned by nobody
    ALL = "all"  # every alert, resolved and silenced ones too
    RESOLVED = "resolved"


@dataclass(frozen=True)
class BoardFilters:
    state: str = State.OPEN
    tenant: str | None = None  # one of the reader's tenants; None: all of them
    severities: tuple[str, ...] = ()  # empty: every severity
    source: str | None = None
    text: str | None = None  # the start of a short id, or part of a title


@dataclass(frozen=True)
class PageRequest:
    cursor: str | None = None  # BoardPage.next_cursor of the page before; None: the first
    size: int = DEFAULT_SIZE  # kept within 1..MAX_SIZE


@dataclass(frozen=True)
class TenantChoice:
    id: str
    name: str


@dataclass(frozen=True)
class BoardPage:
    rows: tuple[BoardRow, ...]
    filters: BoardFilters  # as applied (text trimmed, severities in order)
    tenants: tuple[TenantChoice, ...]  # the reader's tenants, for the tenant filter
    # Alerts per severity under the filter but its severities, every severity, most
    # severe first; None when more than COUNT_CAP match (the resolved history).
    counts: tuple[tuple[Severity, int], ...] | None
    next_cursor: str | None  # the following page, or None when this is the last
    size: int

    @property
    def total(self) -> int | None:
        return None if self.counts is None else sum(n for _, n in self.counts)


def _severities(wanted: tuple[str, ...]) -> tuple[str, ...] | str:
    known = [s.value for s in Severity]
    bad = [s for s in wanted if s not in known]
    if bad:
        return f"Unknown severity {bad[0][:20]!r}; use one of: {', '.join(known)}."
    return tuple(s for s in known if s in wanted)


_LIVE_STATES = (State.OPEN, State.MINE, State.UNCLAIMED)


def _scoped(state: State, actor: Actor, tenants: tuple[str, ...]) -> stored.BoardQuery:
    """The reader's tenants and the statuses and owner `state` means."""
    statuses = {State.ALL: None, State.RESOLVED: (Status.RESOLVED.value,)}.get(
        state, tuple(s.value for s in Status.working()))
    return stored.BoardQuery(tenants, statuses=statuses, live=state in _LIVE_STATES,
                             owner=actor.email if state is State.MINE else None,
                             unowned=state is State.UNCLAIMED)


def _query(f: BoardFilters, actor: Actor, page: PageRequest,
           size: int) -> tuple[stored.BoardQuery, BoardFilters] | str:
    """The filters as a query of the reader's tenants, or why they cannot be."""
    if f.state not in {s.value for s in State}:
        return f"Unknown board {f.state[:20]!r}; use one of: {', '.join(State)}."
    tenant = (f.tenant or "").strip() or None  # a form's "all tenants" is empty
    if tenant is not None and tenant not in actor.tenants:
        return not_theirs(tenant)
    severities = _severities(tuple(f.severities))
    if isinstance(severities, str):
        return severities
    text = " ".join((f.text or "").split()) or None
    if text is not None and len(text) > MAX_TEXT:
        return f"Search for at most {MAX_TEXT} characters."
    source = (f.source or "").strip() or None
    if source is not None and len(source) > MAX_SOURCE:
        return f"A source is at most {MAX_SOURCE} characters long."
    try:
        after = cursor.decode(page.cursor) if page.cursor else None
    except cursor.BadCursor as error:
        return str(error)
    tenants = (tenant,) if tenant else tuple(sorted(actor.tenants))
    query = replace(_scoped(State(f.state), actor, tenants), severities=severities,
                    source=source, text=text, after=after, limit=size + 1)
    return query, replace(f, tenant=tenant, severities=severities, source=source, text=text)


async def board(db: Store, cfg: TandemConfig, who: Identity,
                filters: BoardFilters = BoardFilters(), page: PageRequest = PageRequest(),
                now: datetime | None = None) -> BoardPage | str:
    """One page of the board for `who`, or the sentence saying why there is none."""
    actor = await viewer(db, cfg, who, "board", now or datetime.now(UTC))
    if isinstance(actor, str):
        return actor
    size = min(max(page.size, 1), MAX_SIZE)
    built = _query(filters, actor, page, size)
    if isinstance(built, str):
        return built
    query, applied = built
    tenants = tenants_of(cfg, actor)
    names = {t.id: (t.name, t.timezone) for t in tenants}
    cap = None if query.live else COUNT_CAP
    async with db.read() as session:
        found = await stored.page(session, query)
        counted = await stored.severity_counts(session, query, cap)
        rows = await board_rows(session, cfg, names, found[:size])
    more = len(found) > size
    return BoardPage(
        rows=tuple(rows), filters=applied,
        tenants=tuple(TenantChoice(t.id, t.name) for t in tenants),
        counts=None if counted is None else tuple((s, counted.get(s, 0)) for s in Severity),
        next_cursor=cursor.encode(found[size - 1].first_seen, found[size - 1].id) if more else None,
        size=size,
    )
