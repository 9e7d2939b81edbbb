"""The console's gate, a middleware over every route but the machine ones (health,
metrics, intake and chat webhooks, which authenticate each request themselves).

- A change (any method but GET, HEAD, OPTIONS) must carry the session's CSRF token, as
  the form field `csrf` or the X-CSRF-Token header, and an Origin header, when sent,
  must be the console's own; otherwise 403 with one sentence.
- Everything but /auth/* and /static/* needs a signed-in person: a browser is sent to
  /auth/signin (and back afterwards), anything else gets 401. Pages then find the
  person with bot.web.user.web_user(request).
"""

import hmac
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from bot.teams.mount import ROUTE as TEAMS_ROUTE
from bot.web.console import Console
from bot.web.pages import says, wants_html
from bot.web.sessions import Session
from bot.web.user import USER, user_of

MACHINE = frozenset({"/healthz", "/readyz", "/metrics", TEAMS_ROUTE})
# /reports/: a monthly report's download link is signed and expires (bot/report_links.py);
# the signature is its authority, so whoever the Teams card reached can open it.
MACHINE_PREFIXES = ("/v1/", "/v2/", "/slack/", "/reports/")
OPEN_PREFIXES = ("/auth/", "/static/")
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
FORMS = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def is_machine(path: str) -> bool:
    return path in MACHINE or path.startswith(MACHINE_PREFIXES)


async def _sent_token(request: web.Request) -> str | None:
    token: object = request.headers.get("X-CSRF-Token")
    if token is None and request.content_type in FORMS:
        token = (await request.post()).get("csrf")
    return token if isinstance(token, str) else None


def _origin_ok(request: web.Request, expected: str | None) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return origin.lower() == (expected or f"{request.scheme}://{request.host}".lower())


async def _change_refused(request: web.Request, session: Session | None,
                          origin: str | None) -> web.Response | None:
    if not _origin_ok(request, origin):
        return says(request, "Refused", "This change was refused: it was sent from another "
                    "site than the console.", 403)
    token = await _sent_token(request)
    if (session is None or token is None
            or not hmac.compare_digest(token.encode(), session.csrf.encode())):
        return says(request, "Refused", "This change was refused: it did not carry this "
                    "session's security token; reload the page and try again.", 403)
    return None


def _sign_in_first(request: web.Request) -> web.Response:
    target = "/auth/signin?" + urlencode({"next": request.path_qs})
    if wants_html(request) and request.method in ("GET", "HEAD"):
        raise web.HTTPFound(target)
    response = web.Response(status=401, text=f"Sign in first: open {target} in a browser.")
    if request.headers.get("HX-Request"):
        response.headers["HX-Redirect"] = target  # htmx takes the whole page there
    return response


def guard(console: Console) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if is_machine(request.path):
            return await handler(request)
        session = console.sessions.read(request)
        if request.method not in SAFE:
            refused = await _change_refused(request, session, console.settings.origin)
            if refused is not None:
                return refused
        if not request.path.startswith(OPEN_PREFIXES):
            user = user_of(console.runtime.cfg, session.email, session.csrf) if session else None
            if user is None:
                return _sign_in_first(request)
            request[USER] = user
        return await handler(request)

    return middleware
