"""A request id per HTTP request: the caller's X-Request-Id when it is a sane token,
else a new one; every record logged while handling the request carries it (bot/logs.py),
and the response echoes it. Nothing is logged per request: intake runs at thousands of
requests a second."""

import re
import uuid

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.logs import REQUEST_ID

HEADER = "X-Request-Id"
_SANE = re.compile(r"[A-Za-z0-9._-]{1,128}")


def request_id(given: str | None) -> str:
    """The caller's id if it is at most 128 of [A-Za-z0-9._-], else a new one."""
    return given if given and _SANE.fullmatch(given) else uuid.uuid4().hex


@web.middleware
async def request_ids(request: web.Request, handler: Handler) -> web.StreamResponse:
    rid = request_id(request.headers.get(HEADER))
    token = REQUEST_ID.set(rid)
    try:
        response = await handler(request)
    except web.HTTPException as error:
        error.headers[HEADER] = rid
        raise
    finally:
        REQUEST_ID.reset(token)
    if not response.prepared:
        response.headers[HEADER] = rid
    return response
