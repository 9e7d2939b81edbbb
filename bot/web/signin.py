"""Signing in through the OpenID provider, and out: /auth/signin sends the browser to
the provider (authorization code with PKCE S256, a fresh state and nonce), and
/auth/callback checks what comes back, exchanges the code for an id_token, checks it,
matches a configured person and starts their session. Any failure is a page with one
sentence and no session."""

import hmac
import logging
import time
from urllib.parse import urlencode

from aiohttp import web

from bot.web.console import Console, SignIn, console_of
from bot.web.flows import Flow, local_path, new_flow
from bot.web.pages import notice
from bot.web.people import person_of
from bot.web.provider import ProviderError, Refused
from bot.web.sessions import new_session
from bot.web.user import user_of

log = logging.getLogger("tandem")
AGAIN = ("/auth/signin", "Sign in again")


def _refused(sentence: str) -> web.Response:
    return notice("Sign-in refused", sentence, 403, link=AGAIN)


def _unavailable(sentence: str) -> web.Response:
    return notice("Sign-in unavailable", sentence, 502, link=AGAIN)


async def signin(request: web.Request) -> web.Response:
    console = console_of(request)
    wanted = request.query.get("next")
    if console.settings.demo:
        raise web.HTTPFound("/auth/as?" + urlencode({"next": local_path(wanted)}))
    if console.signin is None:
        return notice("Sign-in not configured", str(console.settings.problem), 503)
    session = console.sessions.read(request)
    if session and user_of(console.runtime.cfg, session.email, session.csrf):
        raise web.HTTPFound(local_path(wanted))  # signed in already
    flow = new_flow(wanted)
    try:
        target = await console.signin.provider.authorization_url(flow)
    except ProviderError as error:
        return _unavailable(str(error))
    response = web.HTTPFound(target)
    console.sessions.write(response, new_session(flow=flow))
    raise response


def _flow(console: Console, request: web.Request) -> Flow:
    """This browser's sign-in attempt, which the callback's state must name, once."""
    session = console.sessions.read(request)
    flow = session.flow if session else None
    state = request.query.get("state", "")
    if flow is None or not hmac.compare_digest(state.encode(), flow.state.encode()):
        raise Refused("Sign-in refused: this sign-in link does not belong to a sign-in "
                      "started in this browser; sign in again.")
    if flow.expired(time.time()):
        raise Refused("Sign-in refused: the sign-in took too long; sign in again.")
    if not console.spent.spend(flow.state):
        raise Refused("Sign-in refused: this sign-in link was used already; sign in again.")
    return flow


async def _sign_in(console: Console, signin: SignIn, request: web.Request) -> tuple[str, str]:
    """The email of the configured person signing in, and where they go next."""
    flow = _flow(console, request)
    error = request.query.get("error")
    if error:
        raise Refused(f"The provider did not sign you in ({error[:60]}); sign in again.")
    code = request.query.get("code")
    if not code:
        raise Refused("Sign-in refused: the provider sent no sign-in code; sign in again.")
    token = await signin.provider.exchange(code, flow)
    issuer = (await signin.provider.metadata()).issuer
    claims = await signin.tokens.verify(token, issuer, flow.nonce)
    return person_of(console.runtime.cfg, claims).email, flow.next


async def callback(request: web.Request) -> web.Response:
    console = console_of(request)
    if console.signin is None:
        return notice("Sign-in not configured", str(console.settings.problem), 503)
    try:
        email, next_path = await _sign_in(console, console.signin, request)
    except Refused as refusal:
        log.warning("web console: a sign-in was refused: %s", refusal)
        return _refused(str(refusal))
    except ProviderError as error:
        log.warning("web console: sign-in failed: %s", error)
        return _unavailable(str(error))
    response = web.HTTPFound(next_path)
    console.sessions.write(response, new_session(email=email))
    log.info("web console: %s signed in", email)
    raise response


async def signout(request: web.Request) -> web.Response:
    """Ends the session in this browser (the guard checked the CSRF token)."""
    console = console_of(request)
    response = notice("Signed out", "You are signed out of Tandem.", 200,
                      link=("/auth/signin", "Sign in"))
    console.sessions.clear(response)
    return response
