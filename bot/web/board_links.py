"""The board's address: the filters and the page position it asks for, and the links
that change one of them (a tab, a chip, the next or previous page).

Paging is keyset (handlers.console.cursor): a page knows the position after it, not the
one before, so each address carries the positions of the pages before it (`trail`, the
first page as ""), and Previous steps back along them.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from multidict import MultiMapping

from handlers.console import BoardFilters, BoardPage, State
from handlers.enums import Severity

STATES = ((State.OPEN, "Open"), (State.MINE, "Mine"), (State.UNCLAIMED, "Unclaimed"),
          (State.ALL, "All"), (State.RESOLVED, "Resolved"))
MAX_TRAIL = 20  # pages further back than this are reached through "First page"
_POSITION = re.compile(r"^\d{1,18}-\d{1,10}$")  # as handlers.console.cursor writes them


@dataclass(frozen=True)
class Asked:
    filters: BoardFilters
    after: str | None = None  # this page's position; None: the first page
    trail: tuple[str, ...] = ()  # the positions of the pages before this one

    def params(self) -> list[tuple[str, str]]:
        f = self.filters
        pairs = [("state", f.state)] if f.state != State.OPEN else []
        pairs += [("tenant", f.tenant)] if f.tenant else []
        pairs += [("severity", s) for s in f.severities]
        pairs += [("source", f.source)] if f.source else []
        pairs += [("q", f.text)] if f.text else []
        if self.after:
            pairs += [("after", self.after), ("trail", ",".join(self.trail))]
        return pairs

    def url(self, path: str = "/") -> str:
        query = urlencode(self.params())
        return f"{path}?{query}" if query else path

    def filtered(self, **changes: object) -> "Asked":
        """The first page of the board with these filters changed."""
        return Asked(replace(self.filters, **changes))  # type: ignore[arg-type]


def _trail(value: str) -> tuple[str, ...]:
    """The positions before a page after the first ("" the first page); nonsense (a
    hand-edited address) is dropped."""
    parts = value.split(",")[-MAX_TRAIL:]
    if not all(p == "" or _POSITION.match(p) for p in parts):
        return ()
    return tuple(parts)


def asked(query: MultiMapping[str]) -> Asked:
    """What the address asks for; the domain checks the values (handlers.console.board)."""
    filters = BoardFilters(
        state=query.get("state") or State.OPEN, tenant=query.get("tenant") or None,
        severities=tuple(query.getall("severity", ())), source=query.get("source") or None,
        text=query.get("q") or None)
    after = query.get("after") or None
    return Asked(filters, after, _trail(query.get("trail", "")) if after else ())


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool
    count: int | None = None


def state_links(now: Asked) -> list[Link]:
    return [Link(label, now.filtered(state=state.value).url(), now.filters.state == state)
            for state, label in STATES]


def tenant_links(now: Asked, page: BoardPage) -> list[Link]:
    """All tenants, then each of the reader's (only when they have several)."""
    if len(page.tenants) < 2:
        return []
    chosen = page.filters.tenant
    return [Link("All tenants", now.filtered(tenant=None).url(), chosen is None)] + [
        Link(t.name, now.filtered(tenant=t.id).url(), chosen == t.id) for t in page.tenants]


def severity_links(now: Asked, page: BoardPage) -> list[Link]:
    """A chip per severity with its count, each toggling that severity in the filter."""
    counts: Mapping[Severity, int] = dict(page.counts or ())
    chosen = set(page.filters.severities)
    links = []
    for severity in Severity:
        toggled = chosen ^ {severity.value}
        wanted = tuple(s.value for s in Severity if s.value in toggled)
        links.append(Link(severity.value.capitalize(), now.filtered(severities=wanted).url(),
                          severity.value in chosen,
                          counts.get(severity) if page.counts is not None else None))
    return links


@dataclass(frozen=True)
class Paging:
    first: str | None  # None: this is the first page
    previous: str | None
    next: str | None


def paging(now: Asked, page: BoardPage) -> Paging:
    if now.after is None:
        first = previous = None
    else:
        first = now.filtered().url()
        back = now.trail[-1] if now.trail else None
        previous = (Asked(now.filters, back or None, now.trail[:-1]).url()
                    if back is not None else None)
    following = None
    if page.next_cursor:
        trail = (*now.trail, now.after or "")[-MAX_TRAIL:]
        following = Asked(now.filters, page.next_cursor, trail).url()
    return Paging(first, previous, following)
