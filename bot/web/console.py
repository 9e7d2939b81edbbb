"""What the console's routes share, built once per app: the settings, the session
cookie, and (when configured) the OpenID provider and its token checks."""

from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from bot.openid_keys import OpenIdKeys
from bot.runtime import Runtime
from bot.web.console_settings import ConsoleSettings
from bot.web.flows import SpentStates
from bot.web.id_tokens import IdTokens
from bot.web.provider import Provider
from bot.web.sessions import Sessions


@dataclass
class SignIn:
    provider: Provider
    tokens: IdTokens


@dataclass
class Console:
    runtime: Runtime  # its `cfg` is the configuration in force, read on each request
    settings: ConsoleSettings
    sessions: Sessions
    signin: SignIn | None  # None: no OpenID provider configured
    spent: SpentStates = field(default_factory=SpentStates)


CONSOLE = web.AppKey("console", Console)


def console_of(request: web.Request) -> Console:
    return request.app[CONSOLE]


def build_console(app: web.Application, runtime: Runtime, settings: ConsoleSettings
                  ) -> Console:
    """The console's state; its HTTP session to the provider closes with the app (it
    opens no connection until someone signs in)."""
    signin = None
    if settings.oidc is not None:
        http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))

        async def close(_app: web.Application) -> None:
            await http.close()

        app.on_cleanup.append(close)
        keys = OpenIdKeys(http, settings.oidc.discovery_url)
        signin = SignIn(Provider(settings.oidc, http), IdTokens(settings.oidc.client_id, keys))
    return Console(runtime, settings, Sessions(settings.session_secret, settings.secure),
                   signin)
