"""The console's session: one cookie signed with TANDEM_SESSION_SECRET (itsdangerous),
HttpOnly, SameSite=Lax, Secure when the console is served over https.

It holds who signed in (their email; everything else about them is read from the
configuration in force on each request), the CSRF token every change must carry, and
while a sign-in is under way its attempt (bot/web/flows.py). Nothing is stored on the
server, so any replica sharing the secret accepts it; signing out removes the cookie
from the browser.
"""

import secrets
from dataclasses import asdict, dataclass
from typing import Any

from aiohttp import web
from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot.web.flows import Flow

SESSION_SECONDS = 12 * 3600
NAME = "tandem_session"
SECURE_NAME = "__Host-tandem_session"  # the browser keeps it to https, this host, path /


@dataclass(frozen=True)
class Session:
    csrf: str
    email: str | None = None  # None: not signed in
    flow: Flow | None = None  # a sign-in under way


def new_session(email: str | None = None, flow: Flow | None = None) -> Session:
    """A session with a fresh CSRF token: each sign-in starts one."""
    return Session(csrf=secrets.token_urlsafe(32), email=email, flow=flow)


def _session(data: Any) -> Session | None:
    if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
        return None
    flow = data.get("flow")
    try:
        return Session(csrf=data["csrf"], email=data.get("email"),
                       flow=Flow(**flow) if isinstance(flow, dict) else None)
    except TypeError:
        return None


class Sessions:
    def __init__(self, secret: str, secure: bool):
        self._serializer = URLSafeTimedSerializer(secret, salt="tandem.web.session")
        self.secure = secure
        self.name = SECURE_NAME if secure else NAME

    def read(self, request: web.BaseRequest) -> Session | None:
        """The request's session; None when it has none, or a forged or expired one."""
        value = request.cookies.get(self.name)
        if not value:
            return None
        try:
            data = self._serializer.loads(value, max_age=SESSION_SECONDS)
        except BadSignature:  # SignatureExpired is one
            return None
        return _session(data)

    def write(self, response: web.StreamResponse, session: Session) -> None:
        data = {"csrf": session.csrf, "email": session.email,
                "flow": asdict(session.flow) if session.flow else None}
        response.set_cookie(self.name, self._serializer.dumps(data), max_age=SESSION_SECONDS,
                            path="/", httponly=True, samesite="Lax", secure=self.secure)

    def clear(self, response: web.StreamResponse) -> None:
        response.del_cookie(self.name, path="/", httponly=True, samesite="Lax",
                            secure=self.secure)
