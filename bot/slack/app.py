"""Slack on the shared aiohttp app: POST /slack/events, the outbox sender, Socket Mode.

Configured by SLACK_BOT_TOKEN plus SLACK_SIGNING_SECRET (HTTP) and/or
SLACK_APP_TOKEN (Socket Mode, for companies that cannot expose a public URL).
Requests are verified by bolt's signing-secret check: a forged signature, or a
timestamp more than five minutes off, gets 401 before any listener runs. The bot
token is not checked at start-up (nor by bolt at all): the first Web API call shows a
bad one as invalid_auth.
"""

import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.metrics import Metrics
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.pacing import Pacing
from bot.runtime import Runtime
from bot.slack.client import TIMEOUT_SECONDS, web_client
from bot.slack.deps import SlackDeps
from bot.slack.listeners import Background, register
from bot.slack.people import SlackPeople
from bot.slack.sender import SlackSender
from storage.types import utcnow

log = logging.getLogger("tandem.slack")
SLACK = web.AppKey("slack", AsyncApp)


def build_bolt(settings: Settings, client: AsyncWebClient) -> AsyncApp:
    """bolt authorises every request from SLACK_BOT_TOKEN, with no auth.test call: a
    single-workspace token needs no look-up, and a burst of first clicks would otherwise
    each wait for one. Tandem's own calls go through `client`, never bolt's."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    secret = settings.slack_signing_secret

    async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token)

    # process_before_response: answer as soon as the listener returns, which it does
    # right after ack() (bot.slack.listeners), instead of polling for ack() every 10 ms.
    return AsyncApp(name="tandem", logger=log, process_before_response=True,
                    client=AsyncWebClient(base_url=client.base_url, timeout=client.timeout),
                    authorize=authorize, signing_secret=secret.get_secret_value() if secret else "",
                    request_verification_enabled=secret is not None)


def socket_mode(bolt: AsyncApp, settings: Settings) -> AsyncSocketModeHandler | None:
    token = settings.slack_app_token
    return AsyncSocketModeHandler(bolt, token.get_secret_value()) if token else None


def _events(bolt: AsyncApp, verifier: SignatureVerifier):
    async def slack_events(request: web.Request) -> web.Response:
        try:
            incoming = await to_bolt_request(request)
        except ValueError:  # bolt parses before verifying; a bad body must not be a 500
            if not verifier.is_valid_request(await request.text(), dict(request.headers)):
                return web.json_response({"error": "invalid request"}, status=401)
            return web.json_response(
                {"error": "the body is neither a Slack form payload nor JSON"}, status=400)
        return await to_aiohttp_response(await bolt.async_dispatch(incoming))
    return slack_events


def install(app: web.Application, runtime: Runtime, dispatcher: Dispatcher,
            metrics: Metrics) -> Handler | None:
    """Start Slack when configured, its sender delivering for `dispatcher`, counting
    decisions on fixes in `metrics`.
    Returns the Events API handler when Slack speaks HTTP, None when it is off or uses
    Socket Mode only."""
    settings = runtime.settings
    if settings.slack_bot_token is None:
        return None
    if settings.slack_signing_secret is None and settings.slack_app_token is None:
        log.error("SLACK_BOT_TOKEN is set without SLACK_SIGNING_SECRET or SLACK_APP_TOKEN: "
                  "Slack stays off")
        return None
    client = web_client(settings)
    deps = SlackDeps(runtime.db, runtime, client, SlackPeople(runtime, client), utcnow, metrics)
    bolt = build_bolt(settings, client)
    work = Background()
    register(bolt, deps, work)
    events = None
    if settings.slack_signing_secret is not None:
        verifier = SignatureVerifier(settings.slack_signing_secret.get_secret_value())
        events = _events(bolt, verifier)
    app[SLACK] = bolt

    async def lifetime(_app: web.Application) -> AsyncIterator[None]:
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS))
        client.session = session
        dispatcher.add_sender(SlackSender(client), Pacing(settings.slack_posts_per_second))
        socket = socket_mode(bolt, settings)
        if socket is not None:
            await socket.connect_async()
        yield
        if socket is not None:
            await socket.close_async()
        await work.close()
        await dispatcher.remove_sender("slack")
        await session.close()

    app.cleanup_ctx.append(lifetime)
    return events
