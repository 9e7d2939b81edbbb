"""An alert's page, /alerts/{short_id}, and its buttons and forms, which POST to
/alerts/{short_id}/act and become the same Command a chat click does
(handlers.console.act): the same policy, refusals and stale-version check.

A change that is done goes back where it came from (the alert's page or the board) with
its sentence; one that is not is answered on the alert's page as it is now, with the
sentence chat would say and the form as it was filled in.
"""

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.web import flash
from bot.web.alert_card import card, fields_of, verb_of
from bot.web.console import console_of
from bot.web.flows import local_path
from bot.web.pages import render
from bot.web.user import web_user
from handlers.commands import Outcome, Result
from handlers.console import act, alert_page

CONTROLS = frozenset({"csrf", "action", "version", "key", "back", "form"})
STATUS = {Outcome.REFUSED: 403, Outcome.UNKNOWN_PERSON: 403, Outcome.NOT_FOUND: 404,
          Outcome.STALE: 409, Outcome.CONFLICT: 409, Outcome.ILLEGAL: 409,
          Outcome.INVALID: 422}


def _short_id(request: web.Request) -> str:
    return request.match_info["short_id"][:64]


async def _page(request: web.Request, template: str, status: int = 200,
                said: flash.Said | None = None, **values: Any) -> web.Response:
    """The alert's page (or its live part) as its reader may see it now."""
    user = web_user(request)
    runtime = console_of(request).runtime
    shown = await alert_page(runtime.db, runtime.cfg, user.identity, _short_id(request))
    if isinstance(shown, str):
        return render("missing.html", 404, user=user, said=said, section="board",
                      title="Alert not available", sentence=shown)
    values = {"opened": None, "filled": {}} | values
    return render(template, status, user=user, said=said, card=card(shown),
                  timeline=shown.timeline, section="board", **values)


async def show(request: web.Request) -> web.Response:
    """GET /alerts/{short_id}."""
    said = flash.read(request)
    response = await _page(request, "alert.html", said=said)
    flash.forget(request, response)
    return response


async def live_part(request: web.Request) -> web.Response:
    """GET /alerts/{short_id}/live: the part of the page that changes, for its script."""
    return await _page(request, "alert_live.html")


def _version(value: object) -> int | None:
    try:
        return int(str(value)) if value is not None else None
    except ValueError:
        return None


async def _run(request: web.Request, form: Any, action: str) -> Result:
    user = web_user(request)
    runtime = console_of(request).runtime
    verb = verb_of(action)
    if verb is None:
        return Result(Outcome.INVALID, f"Tandem has no action {action[:40]!r}.")
    keys, required = fields_of(action)
    fields = {k: str(v) for k, v in form.items() if k in keys and k not in CONTROLS}
    short_id = _short_id(request)
    # The board's rows share one form and its key: each alert makes the key its own.
    key = f"{form.get('key')}:{short_id}" if form.get("key") else None
    return await act(runtime.db, runtime.cfg, user.identity, short_id, verb, fields,
                     _version(form.get("version")), key,
                     required=required if form.get("form") else {}, now=datetime.now(UTC))


async def submit(request: web.Request) -> web.Response:
    """POST /alerts/{short_id}/act (the guard checked the CSRF token)."""
    form = await request.post()
    action = str(form.get("action") or "")
    result = await _run(request, form, action)
    page = f"/alerts/{_short_id(request)}"
    back = local_path(str(form.get("back") or page))
    said = flash.Said(result.message, result.ok)
    if result.ok or back != page:
        response = web.HTTPSeeOther(back)
        flash.keep(request, response, said)
        raise response
    filled = {k: str(v) for k, v in form.items() if k not in CONTROLS}
    return await _page(request, "alert.html", STATUS.get(result.outcome, 400), said,
                       opened=action if form.get("form") else None, filled=filled)
