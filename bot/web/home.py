"""The console's front page until the alert board replaces it: who is signed in, their
side and tenants, and a sign-out button."""

from aiohttp import web

from bot.web.console import console_of
from bot.web.pages import render
from bot.web.user import web_user


async def home(request: web.Request) -> web.Response:
    user = web_user(request)
    cfg = console_of(request).runtime.cfg
    tenants = [t for t in cfg.tenants if t.id in user.tenants]
    return render("home.html", user=user, tenants=tenants)
