"""Wiring Teams into the aiohttp app: POST /api/messages, the sender, their lifetime.

`build()` makes every part from settings on a given HTTP session (tests and the
benchmark call it directly); `install()` ties it to an app: the session opens when the
app starts, the sender joins the outbox dispatcher, and both close with the app.
"""

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler
from botbuilder.integration.aiohttp import CloudAdapter

from bot.client_credentials import ClientCredentials
from bot.config import Settings
from bot.graph.client import GraphCredential, graph_client
from bot.metrics import Metrics
from bot.openid_keys import OpenIdKeys
from bot.outbox.dispatcher import Dispatcher
from bot.report_links import from_settings as report_links
from bot.runtime import Runtime
from bot.teams.auth import TokenValidator
from bot.teams.bot import TandemTeamsBot
from bot.teams.channel_search import ChannelSearch
from bot.teams.connector import Connectors
from bot.teams.context import TeamsContext
from bot.teams.directory import Directory
from bot.teams.endpoint import MessagesEndpoint, TandemAuthentication
from bot.teams.sender import TEAMS_PACING, TeamsSender
from bot.teams.tokens import default_token_url
from bot.teams.views import RefreshUsers
from handlers.config import ConfigSource
from storage.db import Database

log = logging.getLogger("tandem.teams")
ROUTE = "/api/messages"
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=15)


@dataclass
class Teams:
    context: TeamsContext
    endpoint: MessagesEndpoint
    sender: TeamsSender


def _password(settings: Settings) -> str:
    secret = settings.microsoft_app_password
    return secret.get_secret_value() if secret else ""


def build(http: aiohttp.ClientSession, settings: Settings, db: Database,
          config: ConfigSource, metrics: Metrics) -> Teams:
    app_id = settings.microsoft_app_id
    if app_id is None:  # install() starts Teams only when it is set
        raise ValueError("Teams needs MICROSOFT_APP_ID")
    tenant = settings.microsoft_app_tenant_id
    token_url = settings.teams_token_url or default_token_url(tenant)
    credentials = ClientCredentials(http, token_url, app_id, _password(settings))
    connectors = Connectors(http, credentials)
    graph = graph_client(GraphCredential(credentials), settings.graph_url) if (
        tenant or settings.teams_token_url) else None
    refresh = RefreshUsers(db)
    context = TeamsContext(db, config, connectors, Directory(graph), refresh, metrics)
    validator = TokenValidator(OpenIdKeys(http, settings.teams_openid_metadata_url), app_id)
    auth = TandemAuthentication(validator, connectors)
    endpoint = MessagesEndpoint(CloudAdapter(auth), auth, TandemTeamsBot(context))
    search = ChannelSearch(graph[0], app_id) if graph else None
    return Teams(context, endpoint, TeamsSender(db, connectors, refresh, search,
                                                report_links(settings)))


def install(app: web.Application, runtime: Runtime, dispatcher: Dispatcher,
            metrics: Metrics) -> Handler | None:
    """Start Teams when MICROSOFT_APP_ID is set, its sender delivering for `dispatcher`,
    counting decisions on fixes in `metrics`.
    Returns the Bot Framework messaging endpoint's handler, None when Teams is off."""
    settings = runtime.settings
    if not settings.microsoft_app_id:
        return None
    if not _password(settings):
        log.error("MICROSOFT_APP_ID is set without MICROSOFT_APP_PASSWORD: Teams stays off")
        return None
    if report_links(settings) is None:
        log.warning("TANDEM_PUBLIC_URL or TANDEM_LINK_SECRET is not set: monthly reports "
                    "cannot reach Teams channels (their rows fail as no_report_links until "
                    "both are set and `tandem outbox retry` re-queues them)")
    parts: dict[str, Teams] = {}

    async def messages(request: web.Request) -> web.Response:
        return await parts["teams"].endpoint.handle(request)

    async def lifetime(_app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as http:
            teams = parts["teams"] = build(http, settings, runtime.db, runtime, metrics)
            dispatcher.add_sender(teams.sender, TEAMS_PACING)
            yield
            await dispatcher.remove_sender(teams.sender.platform)
            await teams.context.directory.close()

    app.cleanup_ctx.append(lifetime)
    return messages
