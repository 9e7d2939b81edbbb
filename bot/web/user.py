"""The signed-in person as console pages see them: `web_user(request)`.

Built on each request by the guard (bot/web/guard.py) from the session's email and the
configuration in force, so a reload that changes someone's tenants, side or roles
applies at once, and a person removed from the configuration is signed out.
"""

from dataclasses import dataclass

from aiohttp import web

from handlers.commands import Identity
from handlers.config import TandemConfig
from handlers.enums import Role, Side
from handlers.people import Actor, resolve


@dataclass(frozen=True)
class WebUser:
    actor: Actor  # what reads and policy take
    csrf: str  # every change the page sends carries it (form field `csrf` or X-CSRF-Token)

    @property
    def email(self) -> str:
        return self.actor.email

    @property
    def name(self) -> str:
        return self.actor.name

    @property
    def side(self) -> Side:
        return self.actor.side

    @property
    def roles(self) -> frozenset[Role]:
        return self.actor.roles

    @property
    def tenants(self) -> frozenset[str]:
        """The ids of the tenants this person belongs to: all they may see."""
        return self.actor.tenants

    @property
    def identity(self) -> Identity:
        """Who commands run as. The sign-in pinned the account to this email already."""
        return Identity(email=self.actor.email)


USER = web.RequestKey("web_user", WebUser)


def user_of(cfg: TandemConfig, email: str | None, csrf: str) -> WebUser | None:
    actor = resolve(cfg, Identity(email=email)) if email else None
    return WebUser(actor, csrf) if actor else None


def web_user(request: web.Request) -> WebUser:
    """The signed-in person; every console route has one (the guard sees to it)."""
    try:
        return request[USER]
    except KeyError:
        raise web.HTTPUnauthorized(text="Sign in to use the console.") from None


def csrf_token(request: web.Request) -> str:
    """The token forms and scripts of this page send back with each change."""
    return web_user(request).csrf
