"""HTTP intake: authenticate, parse, commit, answer — 202 only after the commit."""

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from bot.intake import replies
from bot.intake.auth import Credentials, Grant
from bot.intake.committer import Committer, Overloaded
from bot.intake.entra import EntraTokens, Unauthorized
from bot.intake.replies import Refusal
from bot.metrics import Metrics
from bot.openid_keys import KeysUnavailable
from bot.sources import events_v2
from handlers.intake import AlertIn, Effect, Ingested, PayloadError
from storage import canonical

log = logging.getLogger(__name__)
MAX_BODY = 512 * 1024
Parser = Callable[[object], list[AlertIn]]


@dataclass
class Intake:
    credentials: Credentials
    committer: Committer
    metrics: Metrics
    entra: EntraTokens | None = None  # when an azure-monitor integration configures it


INTAKE = web.AppKey("intake", Intake)


async def _body(request: web.Request) -> object:
    """The whole body as JSON. It is read to its end, however many pieces it comes in (a
    body without a Content-Length arrives in chunks, and one read returns only those
    already here), and refused as soon as it passes MAX_BODY."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise Refusal(413, "too_large", f"body over {MAX_BODY // 1024} KB")
    raw = b""
    while chunk := await request.content.readany():
        raw += chunk
        if len(raw) > MAX_BODY:
            raise Refusal(413, "too_large", f"body over {MAX_BODY // 1024} KB")
    try:
        return canonical.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Refusal(400, "malformed_json", f"body is not valid JSON: {error}") from None


def _authorise(grant: Grant | None, kind: str, what: str) -> Grant:
    if grant is None:
        raise Refusal(401, "unauthorised", f"missing or unknown {what}")
    if grant.kind != kind:
        raise Refusal(
            403,
            "wrong_integration",
            f"this {what} belongs to the {grant.kind} integration, not {kind}",
        )
    return grant


def _parse(parser: Parser, payload: object) -> list[AlertIn]:
    try:
        return parser(payload)
    except PayloadError as error:
        raise Refusal(
            400, "invalid_payload", "payload does not match the format", error.problems
        ) from None


async def _commit(
    intake: Intake, fmt: str, tenant_id: str, events: list[AlertIn]
) -> list[Ingested]:
    started = time.perf_counter()
    try:
        results = await intake.committer.submit(tenant_id, events)
    except Overloaded as error:
        raise Refusal(503, "overloaded", str(error), retry_after=1) from None
    except (OperationalError, IntegrityError, DBAPIError, OSError, TimeoutError) as error:
        log.warning("intake could not commit: %s", type(error).__name__)
        raise Refusal(
            503, "database_unavailable", "database unavailable; retry later", retry_after=5
        ) from None
    metrics = intake.metrics.intake(fmt)
    metrics.ingest_seconds.observe(time.perf_counter() - started)
    metrics.received.inc(len(events))
    if repeats := sum(r.effect is Effect.DEDUPLICATED for r in results):
        metrics.deduplicated.inc(repeats)
    return results


def bearer_route(fmt: str, parser: Parser, *, azure: bool = False):
    """A route authenticated by a bearer token. With `azure` (an Azure Monitor action
    group, whose plain webhook cannot set a header), also by `?token=` in the URL, or
    by the Microsoft Entra ID token of its secure webhook."""

    async def handle(request: web.Request) -> web.Response:
        intake = request.app[INTAKE]
        try:
            grant = _authorise(await _grant(intake, request, azure), fmt, "bearer token")
            events = _parse(parser, await _body(request))
            return replies.accepted(await _commit(intake, fmt, grant.tenant_id, events))
        except Refusal as error:
            intake.metrics.rejected.labels(fmt, error.reason).inc()
            return replies.refusal(error)

    return handle


async def _grant(intake: Intake, request: web.Request, azure: bool) -> Grant | None:
    token = Credentials.bearer(request.headers.get("Authorization"))
    if token is None and azure:
        token = request.query.get("token")
    grant = intake.credentials.grant(token)
    if grant is None and azure and token and intake.entra is not None and token.count(".") == 2:
        return await _entra_grant(intake.entra, token)
    return grant


async def _entra_grant(entra: EntraTokens, token: str) -> Grant:
    try:
        return await entra.grant(token)
    except Unauthorized as error:
        raise Refusal(401, "unauthorised", f"Microsoft Entra ID {error}") from None
    except KeysUnavailable:
        log.warning("Microsoft Entra ID signing keys unavailable")
        raise Refusal(503, "keys_unavailable", "Microsoft Entra ID signing keys unavailable; "
                      "retry later", retry_after=30) from None


async def enqueue(request: web.Request) -> web.Response:
    """POST /v2/enqueue, compatible with the PagerDuty Events API v2."""
    intake, fmt = request.app[INTAKE], "events-v2"
    try:
        payload = await _body(request)
        key = events_v2.routing_key(payload)
        grant = _authorise(intake.credentials.grant(key), fmt, "routing_key")
        events = _parse(events_v2.parse, payload)
        results = await _commit(intake, fmt, grant.tenant_id, events)
        return replies.events_v2_accepted(results[0])
    except Refusal as error:
        intake.metrics.rejected.labels(fmt, error.reason).inc()
        return replies.events_v2_refusal(error)


def mount(app: web.Application, intake: Intake) -> None:
    """Give the intake routes their shared state; bot/app.py lists the routes."""
    app[INTAKE] = intake
