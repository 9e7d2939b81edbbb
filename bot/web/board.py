"""The alert board at `/`: the reader's alerts, filtered and a page at a time
(handlers.console.board), each row linking to its alert's page, with Claim on the rows
a claim could take. GET /board is the part of it that changes, which the page's script
fetches when the live stream says something changed."""

from datetime import UTC, datetime

from aiohttp import web

from bot.web import flash
from bot.web.board_links import asked, paging, severity_links, state_links, tenant_links
from bot.web.console import console_of
from bot.web.pages import render
from bot.web.user import web_user
from cards import actions as A
from handlers.console import BoardRow, PageRequest, board


def claimable(row: BoardRow) -> bool:
    """Whether the row's card would offer Claim (policy decides when it is pressed)."""
    return A.CLAIM in A.buttons_for(row.status)


async def _board(request: web.Request, template: str,
                 said: flash.Said | None = None) -> web.Response:
    user = web_user(request)
    runtime = console_of(request).runtime
    now = datetime.now(UTC)
    wanted = asked(request.query)
    page = await board(runtime.db, runtime.cfg, user.identity, wanted.filters,
                       PageRequest(wanted.after), now)
    if isinstance(page, str):
        return render(template, 400, user=user, said=said, section="board", asked=wanted,
                      states=state_links(wanted), page=None, problem=page)
    return render(template, user=user, said=said, section="board", asked=wanted, page=page,
                  problem=None, states=state_links(wanted),
                  tenants=tenant_links(wanted, page), severities=severity_links(wanted, page),
                  paging=paging(wanted, page), claimable=claimable, now=now)


async def home(request: web.Request) -> web.Response:
    said = flash.read(request)
    response = await _board(request, "board.html", said)
    flash.forget(request, response)
    return response


async def live_part(request: web.Request) -> web.Response:
    return await _board(request, "board_live.html")
