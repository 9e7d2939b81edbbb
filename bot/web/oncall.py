"""/oncall: who is on call now and next in each of the reader's tenants, overall and in
each layer of its schedule (handlers.console.on_call)."""

from aiohttp import web

from bot.web.console import console_of
from bot.web.pages import render
from bot.web.user import web_user
from handlers.console import on_call


async def oncall(request: web.Request) -> web.Response:
    user = web_user(request)
    runtime = console_of(request).runtime
    found = await on_call(runtime.db, runtime.cfg, user.identity)
    if isinstance(found, str):
        return render("missing.html", 403, user=user, said=None, section="oncall",
                      title="On call", sentence=found)
    return render("oncall.html", user=user, said=None, section="oncall", tenants=found)
