"""The whole app (bot.app.build_app) on a loopback port, signed in to through a fake
OpenID provider on another, by browsers made of an aiohttp client and a cookie jar.

Sign-in touches no table, so these run on SQLite only."""

import html
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer, unused_port

from bot.app import build_app
from bot.config import Settings
from bot.runtime import Runtime
from bot.web import web_user
from fakes.oidc import FakeOidc

HTML = {"Accept": "text/html,application/xhtml+xml"}
SAM = {"oid": "aad-sam", "email": "sam@acme.example", "name": "Sam O."}
GINA = {"oid": "aad-gina", "email": "gina@globex.example"}


async def whoami(request: web.Request) -> web.Response:
    """A console route as a page would be: what web_user gives it."""
    user = web_user(request)
    return web.json_response({"email": user.email, "name": user.name, "side": user.side.value,
                              "tenants": sorted(user.tenants), "csrf": user.csrf})


class Browser:
    """One browser: its own cookies, following redirects like a browser does."""

    def __init__(self, base: str):
        self.base = base
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                          headers=HTML)

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path

    async def get(self, path: str, **kw: Any) -> tuple[int, str, str]:
        """Status, text and the URL it ended at."""
        async with self.http.get(self.url(path), **kw) as response:
            return response.status, await response.text(), str(response.url)

    async def post(self, path: str, data: dict | None = None, **kw: Any
                   ) -> tuple[int, str, str]:
        async with self.http.post(self.url(path), data=data or {}, **kw) as response:
            return response.status, await response.text(), str(response.url)

    async def location(self, path: str) -> str:
        """Where `path` redirects to, not followed."""
        async with self.http.get(self.url(path), allow_redirects=False) as response:
            assert response.status == 302, await response.text()
            return response.headers["Location"]

    async def me(self) -> dict | None:
        """Who the console says this browser is signed in as; None when nobody."""
        async with self.http.get(self.url("/whoami"), headers={"Accept": "*/*"}) as response:
            if response.status == 401:
                return None
            assert response.status == 200, await response.text()
            return await response.json()

    async def sign_in(self) -> tuple[int, str, str]:
        return await self.get("/")

    async def close(self) -> None:
        await self.http.close()


@dataclass
class Console:
    runtime: Runtime
    server: TestServer
    oidc: FakeOidc
    public: str
    browsers: list[Browser]

    def browser(self) -> Browser:
        browser = Browser(self.public)
        self.browsers.append(browser)
        return browser


def said(page: str) -> str:
    """The sentence of a notice page, as a browser shows it."""
    found = re.search(r"<p>(.*?)</p>", page, re.S)
    assert found, page
    return html.unescape(" ".join(found.group(1).split()))


@pytest.fixture
async def oidc() -> AsyncIterator[FakeOidc]:
    fake = await FakeOidc(user=dict(SAM)).start()
    yield fake
    await fake.close()


@pytest.fixture
def console_settings(oidc: FakeOidc) -> Callable[..., Settings]:
    def make(port: int, **changes: Any) -> Settings:
        values: dict[str, Any] = {
            "public_url": f"http://127.0.0.1:{port}", "oidc_issuer": oidc.issuer,
            "oidc_client_id": oidc.client_id, "oidc_client_secret": oidc.client_secret,
            "session_secret": "a-test-session-secret"}
        return Settings(**(values | changes))
    return make


@pytest.fixture
async def start_console(sqlite_db, cfg, oidc, console_settings):
    started: list[Console] = []

    async def start(**changes: Any) -> Console:
        port = unused_port()
        settings = console_settings(port, **changes)
        runtime = Runtime(settings, cfg, sqlite_db)
        app = build_app(runtime)
        app.router.add_get("/whoami", whoami)
        server = TestServer(app, host="127.0.0.1", port=port)
        await server.start_server()
        public = f"http://127.0.0.1:{port}"
        oidc.redirect_uris = [f"{public}/auth/callback"]
        started.append(Console(runtime, server, oidc, public, []))
        return started[-1]

    yield start
    for console in started:
        for browser in console.browsers:
            await browser.close()
        await console.server.close()


@pytest.fixture
async def console(start_console) -> Console:
    return await start_console()
