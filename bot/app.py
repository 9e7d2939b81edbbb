"""The aiohttp application factory: every route and background job is wired here, once."""

from aiohttp import web

from bot.intake.auth import Credentials
from bot.intake.committer import Committer
from bot.intake.routes import Intake, add_routes
from bot.metrics import CONTENT_TYPE, Metrics
from bot.outbox import install as install_outbox
from bot.runtime import Runtime
from bot.scheduler import attach as attach_scheduler
from bot.slack.app import install as install_slack
from bot.teams.mount import install as install_teams

RUNTIME = web.AppKey("runtime", Runtime)
METRICS = web.AppKey("metrics", Metrics)


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    if await request.app[RUNTIME].db.ping():
        return web.json_response({"status": "ready"})
    return web.json_response({"status": "unavailable", "reason": "database unreachable"},
                             status=503)


async def metrics(request: web.Request) -> web.Response:
    body = request.app[METRICS].render()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


def _wake_outbox(runtime: Runtime) -> None:
    if runtime.dispatcher is not None:
        runtime.dispatcher.wake()


def build_app(runtime: Runtime) -> web.Application:
    app = web.Application()
    app[RUNTIME] = runtime
    app[METRICS] = Metrics()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    committer = Committer(runtime.db, runtime.cfg, on_commit=lambda: _wake_outbox(runtime))
    add_routes(app, Intake(Credentials(runtime.cfg), committer, app[METRICS]))
    # before any chat platform: they add their senders to it
    install_outbox(app, runtime, app[METRICS])
    install_slack(app, runtime)
    install_teams(app, runtime)  # when MICROSOFT_APP_ID is set
    attach_scheduler(app, runtime)
    return app
