"""The console's routes and its gate, added to the app bot/app.py builds."""

import asyncio

from aiohttp import web

from bot.runtime import Runtime
from bot.web import alerts, board, demo, live, oncall, reports, signin, silences
from bot.web.console import CONSOLE, build_console
from bot.web.console_settings import console_settings
from bot.web.guard import guard
from bot.web.pages import STATIC

ALERT = "/alerts/{short_id:[A-Za-z0-9_-]{1,64}}"


def install(app: web.Application, runtime: Runtime) -> None:
    """The gate over every console route, /auth/*, /static/ and the pages."""
    console = app[CONSOLE] = build_console(app, runtime, console_settings(runtime.settings))
    app.middlewares.append(guard(console))
    live.attach(app, runtime)
    app[reports.AT_ONCE] = asyncio.Semaphore(reports.DRAWN_AT_ONCE)
    app.add_routes([
        web.get("/", board.home),
        web.get("/board", board.live_part),
        web.get(ALERT, alerts.show),
        web.get(f"{ALERT}/live", alerts.live_part),
        web.post(f"{ALERT}/act", alerts.submit),
        web.get("/events", live.events),
        web.get("/oncall", oncall.oncall),
        web.get("/silences", silences.listing),
        web.post("/silences", silences.add),
        web.post(r"/silences/{silence_id:\d+}/expire", silences.expire),
        web.get("/evidence", reports.evidence),
        web.get("/evidence/monthly", reports.monthly),
        web.get("/auth/signin", signin.signin),
        web.get("/auth/callback", signin.callback),
        web.post("/auth/signout", signin.signout),
        web.get("/auth/as", demo.picker),
        web.post("/auth/as", demo.sign_in_as),
        web.static("/static", STATIC),
    ])
