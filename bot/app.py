"""The aiohttp application factory: every route and background job is wired here, once."""

import gc
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler
from sqlalchemy.exc import SQLAlchemyError

from bot import report_links
from bot.intake import routes as intake
from bot.intake.auth import Credentials
from bot.intake.committer import Committer
from bot.intake.entra import EntraTokens
from bot.metrics import CONTENT_TYPE, Metrics
from bot.monthly_pdf import monthly_pdf
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.dispatcher import install as install_outbox
from bot.reload import attach as attach_reload
from bot.remediation.worker import install as install_worker
from bot.request_ids import request_ids
from bot.runtime import Runtime
from bot.scheduler import attach as attach_scheduler
from bot.slack.app import install as install_slack
from bot.sources import alertmanager, azure_monitor, grafana, native
from bot.teams.mount import ROUTE as TEAMS_ROUTE
from bot.teams.mount import install as install_teams
from bot.web import install as install_console
from storage.outbox_stats import backlog

log = logging.getLogger("tandem")

RUNTIME = web.AppKey("runtime", Runtime)
METRICS = web.AppKey("metrics", Metrics)
OUTBOX = web.AppKey("outbox", Dispatcher)


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    if await request.app[RUNTIME].db.ping():
        return web.json_response({"status": "ready"})
    return web.json_response({"status": "unavailable", "reason": "database unreachable"},
                             status=503)


async def metrics(request: web.Request) -> web.Response:
    """The counters, and the outbox backlog read now. With the database down the rest
    still answers (the backlog gauges keep their last values; /readyz says why)."""
    registry, now = request.app[METRICS], request.app[OUTBOX].clock()
    try:
        registry.backlog(await backlog(request.app[RUNTIME].db, now), now)
    except (SQLAlchemyError, OSError) as error:
        log.warning("metrics: the outbox backlog could not be read: %s", type(error).__name__)
    body = registry.render()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


def routes(slack: Handler | None, teams: Handler | None,
           reports: Handler) -> list[web.RouteDef]:
    """Every HTTP route Tandem serves. Slack and Teams are there when configured; the
    monthly reports' signed download links always (refused while they are off)."""
    table = [
        web.get("/healthz", healthz),
        web.get("/readyz", readyz),
        web.get("/metrics", metrics),
        web.post("/v1/alerts", intake.bearer_route("native", native.parse)),
        web.post("/v1/integrations/alertmanager",
                 intake.bearer_route("alertmanager", alertmanager.parse)),
        web.post("/v1/integrations/grafana", intake.bearer_route("grafana", grafana.parse)),
        web.post("/v1/integrations/azure-monitor",
                 intake.bearer_route("azure-monitor", azure_monitor.parse, azure=True)),
        web.post("/v2/enqueue", intake.enqueue),
        web.get(report_links.ROUTE, reports),
    ]
    if slack is not None:
        table.append(web.post("/slack/events", slack))
    if teams is not None:
        table.append(web.post(TEAMS_ROUTE, teams))
    return table


def _entra(app: web.Application, runtime: Runtime) -> EntraTokens:
    """Azure Monitor's secure-webhook checks, with their own HTTP session for the keys
    (it opens no connection until a token arrives)."""
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))

    async def close(_app: web.Application) -> None:
        await http.close()

    app.on_cleanup.append(close)
    return EntraTokens(runtime, runtime.settings.entra_login_url, http)


async def _frozen_heap(_app: web.Application) -> AsyncIterator[None]:
    """What start-up made (modules, the configuration, SQL and card templates) lives as
    long as the server. A full garbage collection walks every object: with all of that
    it stalled the event loop for over 100 ms, in the middle of a burst of clicks.
    Frozen, start-up's objects are left out of every collection while the server runs."""
    gc.freeze()
    yield
    gc.unfreeze()


def build_app(runtime: Runtime) -> web.Application:
    app = web.Application(middlewares=[request_ids])
    app[RUNTIME] = runtime
    app[METRICS] = Metrics()
    committer = Committer(runtime.db, runtime)
    intake.mount(app, intake.Intake(Credentials(runtime), committer, app[METRICS],
                                    _entra(app, runtime)))
    dispatcher = app[OUTBOX] = install_outbox(app, runtime, app[METRICS])
    runtime.db.wake_outbox = dispatcher.wake  # after each commit that queued outbox rows
    install_worker(app, runtime, dispatcher, app[METRICS])  # approved fixes
    slack = install_slack(app, runtime, dispatcher, app[METRICS])
    teams = install_teams(app, runtime, dispatcher, app[METRICS])  # when MICROSOFT_APP_ID is set
    reports = report_links.downloads(runtime.db, report_links.from_settings(runtime.settings))
    app.add_routes(routes(slack, teams, reports))
    install_console(app, runtime)  # sign-in, the gate over every page, the pages
    attach_scheduler(app, runtime, app[METRICS], make_pdf=monthly_pdf(runtime))
    attach_reload(app, runtime)
    app.cleanup_ctx.append(_frozen_heap)
    return app
