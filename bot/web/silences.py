"""/silences: the silences in force or to come in the reader's tenants, adding one and
expiring one, with chat's rules (handlers.console.add_silence, expire_silence)."""

from datetime import UTC, datetime

from aiohttp import web

from bot.web import flash
from bot.web.console import console_of
from bot.web.formatting import when
from bot.web.pages import render
from bot.web.user import web_user
from handlers.console import SilenceRequest, SilenceRow, add_silence, expire_silence, silences

FIELDS = ("tenant", "matchers", "duration", "start", "every", "reason")
MAX_FIELD = 600  # longer than any matcher list, duration or reason the rules allow


async def _page(request: web.Request, status: int = 200, said: flash.Said | None = None,
                filled: dict[str, str] | None = None) -> web.Response:
    user = web_user(request)
    runtime = console_of(request).runtime
    rows = await silences(runtime.db, runtime.cfg, user.identity)
    if isinstance(rows, str):
        return render("missing.html", 403, user=user, said=said, section="silences",
                      title="Silences", sentence=rows)
    tenants = sorted((t for t in runtime.cfg.tenants if t.id in user.tenants),
                     key=lambda t: t.name)
    return render("silences.html", status, user=user, said=said, section="silences",
                  rows=rows, tenants=tenants, filled=filled or {"duration": "2h"})


async def listing(request: web.Request) -> web.Response:
    said = flash.read(request)
    response = await _page(request, said=said)
    flash.forget(request, response)
    return response


def _added(row: SilenceRow) -> str:
    matchers = " ".join(f"{k}={v}" for k, v in sorted(row.matchers.items()))
    every = f" every {row.every}" if row.every else ""
    ends = when(row.ends_at, row.timezone)
    return f"Silence {row.id} added in {row.tenant_name}: {matchers}{every} until {ends}."


def _back(request: web.Request, said: flash.Said) -> web.Response:
    response = web.HTTPSeeOther("/silences")
    flash.keep(request, response, said)
    raise response


async def add(request: web.Request) -> web.Response:
    """POST /silences (the guard checked the CSRF token)."""
    user = web_user(request)
    runtime = console_of(request).runtime
    form = await request.post()
    filled = {k: str(form.get(k) or "")[:MAX_FIELD] for k in FIELDS}
    wanted = SilenceRequest(filled["tenant"], filled["matchers"], filled["duration"],
                            filled["reason"], filled["start"] or None, filled["every"] or None)
    made = await add_silence(runtime.db, runtime.cfg, user.identity, wanted,
                             datetime.now(UTC))
    if isinstance(made, str):
        return await _page(request, 422, flash.Said(made, False), filled)
    return _back(request, flash.Said(_added(made), True))


async def expire(request: web.Request) -> web.Response:
    """POST /silences/{id}/expire (the guard checked the CSRF token)."""
    user = web_user(request)
    runtime = console_of(request).runtime
    raw = request.match_info["silence_id"]  # digits (the route's pattern)
    silence_id = int(raw) if len(raw) < 12 else 0
    sentence, done = await expire_silence(runtime.db, runtime.cfg, user.identity, silence_id,
                                          datetime.now(UTC))
    return _back(request, flash.Said(sentence, done))
