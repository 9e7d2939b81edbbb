"""POST /api/messages: authenticate, run the turn through botbuilder's CloudAdapter, answer.

Two botbuilder behaviours are worked around here rather than patched:
- CloudAdapter.process() answers an invoke by running serializer_helper over a body
  ActivityHandler already serialised, which fails, so every card click gets HTTP 500.
  This endpoint calls CloudAdapter.process_activity() and writes the invoke body once.
- botbuilder's token checks block the event loop and raise assorted exception types;
  TandemAuthentication uses bot/teams/auth.py, whose every failure is a 401.
"""

import json
import logging

from aiohttp import web
from azure.core.exceptions import DeserializationError
from botbuilder.core import ActivityHandler, InvokeResponse, serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
)
from msrest.serialization import Model

from bot.openid_keys import KeysUnavailable
from bot.teams.auth import TokenValidator, Unauthorized
from bot.teams.connector import Connectors
from bot.teams.tokens import BOT_SCOPE

log = logging.getLogger(__name__)
OUTBOUND_AUDIENCE = BOT_SCOPE.removesuffix("/.default")


class TandemAuthentication(BotFrameworkAuthentication):
    """BotFrameworkAuthentication on Tandem's own token checks and connector clients."""

    def __init__(self, validator: TokenValidator, connectors: Connectors):
        self._validator, self._connectors = validator, connectors

    async def authenticate_request(self, activity: Activity,
                                   auth_header: str) -> AuthenticateRequestResult:
        try:
            claims = await self._validator.validate(auth_header, activity.service_url,
                                                    activity.channel_id)
        except Unauthorized as error:
            raise PermissionError(str(error)) from None
        result = AuthenticateRequestResult()
        result.claims_identity = ClaimsIdentity(claims, True)
        result.audience = OUTBOUND_AUDIENCE
        result.connector_factory = self._connectors
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str):
        raise PermissionError("streaming connections are not supported")

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> Connectors:
        return self._connectors

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> None:
        """Tandem never asks users to sign in, so there is no user token client."""
        return None


def _problem(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def invoke_body(response: InvokeResponse) -> object:
    """The invoke body, serialised exactly once whatever the handler returned."""
    body = response.body
    return serializer_helper(body) if isinstance(body, Model) else body


def _activity(body: object) -> Activity:
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        raise ValueError("the body must be a Bot Framework activity with a type")
    try:
        return Activity().deserialize(body)
    except (DeserializationError, TypeError, AttributeError) as error:
        raise ValueError(f"the activity could not be read: {error}") from None


class MessagesEndpoint:
    def __init__(self, adapter: CloudAdapter, auth: TandemAuthentication, bot: ActivityHandler):
        self.adapter, self.bot, self._auth = adapter, bot, auth

    async def handle(self, request: web.Request) -> web.Response:
        try:
            raw = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            raw = None
        fields = raw if isinstance(raw, dict) else {}
        probe = Activity(service_url=fields.get("serviceUrl"), channel_id=fields.get("channelId"))
        try:
            result = await self._auth.authenticate_request(
                probe, request.headers.get("Authorization", ""))
        except PermissionError as error:
            log.info("Teams request refused: %s", error)
            return _problem(401, f"unauthorized: {error}")
        except KeysUnavailable as error:
            log.warning("Teams request not checked: %s", error)
            return _problem(503, "Bot Framework signing keys are unavailable; try again")
        if request.content_type != "application/json":
            return _problem(415, "Content-Type must be application/json")
        try:
            activity = _activity(raw)
        except ValueError as error:
            return _problem(400, str(error))
        return await self._turn(result, activity)

    async def _turn(self, result: AuthenticateRequestResult, activity: Activity) -> web.Response:
        try:
            response = await self.adapter.process_activity(result, activity, self.bot.on_turn)
        except Exception:
            log.exception("Teams %s activity failed", activity.type)
            return _problem(500, "Tandem could not handle this activity")
        if response is None:
            return web.Response(status=200)
        body = invoke_body(response)
        if body is None:
            return web.Response(status=int(response.status))
        return web.json_response(body, status=int(response.status))
