"""The console's pages on the whole app (bot.app.build_app) on a loopback port, on SQLite
and PostgreSQL, read by aiohttp browsers signed in through the fake OpenID provider."""

from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestServer, unused_port

from bot.app import build_app
from bot.runtime import Runtime
from fakes.oidc import FakeOidc
from tests.bot.web.conftest import Browser


@dataclass
class Site:
    runtime: Runtime
    server: TestServer
    oidc: FakeOidc
    public: str
    browsers: list[Browser]

    @property
    def db(self):
        return self.runtime.db

    @property
    def cfg(self):
        return self.runtime.cfg

    async def signed_in(self, email: str) -> Browser:
        """A browser signed in as the configured person with this email."""
        self.oidc.user = {"email": email}
        browser = Browser(self.public)
        self.browsers.append(browser)
        status, page, _ = await browser.sign_in()
        assert status == 200, page
        return browser


async def _site(db, cfg, oidc: FakeOidc, console_settings):
    port = unused_port()
    runtime = Runtime(console_settings(port), cfg, db)
    server = TestServer(build_app(runtime), host="127.0.0.1", port=port)
    await server.start_server()
    public = f"http://127.0.0.1:{port}"
    oidc.redirect_uris = [f"{public}/auth/callback"]
    made = Site(runtime, server, oidc, public, [])
    yield made
    for browser in made.browsers:
        await browser.close()
    await server.close()


@pytest.fixture
async def site(db, cfg, oidc, console_settings) -> Any:
    async for made in _site(db, cfg, oidc, console_settings):
        yield made


@pytest.fixture
async def sqlite_site(sqlite_db, cfg, oidc, console_settings) -> Any:
    """On SQLite alone: its audit log can be edited behind Tandem's back (PostgreSQL's
    trigger refuses), which the chain's check must name."""
    async for made in _site(sqlite_db, cfg, oidc, console_settings):
        yield made
