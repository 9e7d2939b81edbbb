"""The console's routes and its gate, added to the app bot/app.py builds."""

from aiohttp import web

from bot.runtime import Runtime
from bot.web import demo, signin
from bot.web.console import CONSOLE, build_console
from bot.web.console_settings import console_settings
from bot.web.guard import guard
from bot.web.home import home
from bot.web.pages import STATIC


def install(app: web.Application, runtime: Runtime) -> None:
    """The gate over every console route, /auth/*, /static/ and the front page."""
    console = app[CONSOLE] = build_console(app, runtime, console_settings(runtime.settings))
    app.middlewares.append(guard(console))
    app.add_routes([
        web.get("/", home),
        web.get("/auth/signin", signin.signin),
        web.get("/auth/callback", signin.callback),
        web.post("/auth/signout", signin.signout),
        web.get("/auth/as", demo.picker),
        web.post("/auth/as", demo.sign_in_as),
        web.static("/static", STATIC),
    ])
