"""What a change said, carried across the redirect that follows it (post, redirect,
get): one short-lived cookie signed with the session's key, read and removed by the
next full page. Signed, so no link can make the console say something it did not."""

from dataclasses import dataclass

from aiohttp import web
from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot.web.console import console_of

NAME = "tandem_said"
SECONDS = 60
MAX_TEXT = 1000


@dataclass(frozen=True)
class Said:
    text: str
    ok: bool  # done; False: refused, stale or invalid


def _serializer(request: web.Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(console_of(request).settings.session_secret,
                                  salt="tandem.web.said")


def keep(request: web.Request, response: web.StreamResponse, said: Said) -> None:
    value = _serializer(request).dumps({"text": said.text[:MAX_TEXT], "ok": said.ok})
    response.set_cookie(NAME, value, max_age=SECONDS, path="/", httponly=True,
                        samesite="Lax", secure=console_of(request).sessions.secure)


def read(request: web.Request) -> Said | None:
    """The message the last change left for this page, if any (`forget` removes it)."""
    value = request.cookies.get(NAME)
    if not value:
        return None
    try:
        data = _serializer(request).loads(value, max_age=SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return None
    return Said(data["text"], data.get("ok") is True)


def forget(request: web.Request, response: web.StreamResponse) -> None:
    if NAME in request.cookies:
        response.del_cookie(NAME, path="/")
