"""The console in a real browser: Debian's Chromium driven by Playwright (no browser is
ever downloaded), against the whole app on a loopback port with Slack pointed at its
fake and sign-in through the fake OpenID provider, on SQLite.

One Chromium per test module, a fresh context (cookies, storage) per person; the tests
of a module share its event loop (`pytestmark` in each module). Without Chromium the
tests are skipped with a loud reason, unless TANDEM_TEST_BROWSER=required (CI), which
makes that a failure. A failing test leaves a screenshot of each of its pages in
test-artifacts/screenshots/ (TANDEM_TEST_ARTIFACTS to put them elsewhere).
"""

import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer, unused_port
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from bot.app import build_app
from bot.runtime import open_runtime
from fakes.oidc import FakeOidc
from fakes.slack.api import FakeSlack
from tests.bot.conftest import SLACK_USERS, Stack, slack_settings

CHROMIUM = Path(os.environ.get("TANDEM_TEST_CHROMIUM", "/usr/bin/chromium"))
REQUIRED = os.environ.get("TANDEM_TEST_BROWSER") == "required"
ARTIFACTS = Path(os.environ.get("TANDEM_TEST_ARTIFACTS",
                                Path(__file__).resolve().parents[4] / "test-artifacts"))
FAILED = pytest.StashKey[bool]()
LOOP = pytest.mark.asyncio(loop_scope="module")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def chromium() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        reason = (f"!!! Chromium is not installed at {CHROMIUM}: the console's BROWSER TESTS "
                  "ARE SKIPPED (apt-get install chromium)")
        if REQUIRED:
            pytest.fail(f"{reason}; TANDEM_TEST_BROWSER=required")
        pytest.skip(reason)
    sandbox = ["--no-sandbox"] if os.geteuid() == 0 else []  # Chromium's sandbox refuses root
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=sandbox)
        yield browser
        await browser.close()


@dataclass
class Site:
    stack: Stack  # Slack's side: signed clicks against the same app
    oidc: FakeOidc
    public: str

    @property
    def db(self):
        return self.stack.runtime.db

    @property
    def cfg(self):
        return self.stack.runtime.cfg


@pytest_asyncio.fixture(loop_scope="module")
async def site(sqlite_url, tokens) -> AsyncIterator[Site]:
    oidc = await FakeOidc().start()
    slack = FakeSlack(users={k: dict(v) for k, v in SLACK_USERS.items()})
    await slack.start()
    port = unused_port()
    public = f"http://127.0.0.1:{port}"
    oidc.redirect_uris = [f"{public}/auth/callback"]
    settings = slack_settings(sqlite_url, slack, public_url=public, oidc_issuer=oidc.issuer,
                              oidc_client_id=oidc.client_id,
                              oidc_client_secret=oidc.client_secret,
                              session_secret="a-browser-test-secret")
    runtime = await open_runtime(settings)
    server = TestServer(build_app(runtime), host="127.0.0.1", port=port)
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        yield Site(Stack(slack, runtime, server, http), oidc, public)
    await server.close()
    await runtime.close()
    await slack.close()
    await oidc.close()


OpenAs = Callable[..., Awaitable[Page]]


@pytest_asyncio.fixture(loop_scope="module")
async def open_as(request, chromium: Browser, site: Site) -> AsyncIterator[OpenAs]:
    """Opens a new browser (its own cookies) signed in as a configured person through the
    provider, at `path`; `viewport` as (width, height)."""
    contexts: list[BrowserContext] = []

    async def open_page(email: str | None = None, path: str = "/",
                        viewport: tuple[int, int] = (1280, 900)) -> Page:
        context = await chromium.new_context(
            viewport={"width": viewport[0], "height": viewport[1]})
        contexts.append(context)
        page = await context.new_page()
        if email is not None:
            site.oidc.user = {"email": email}
            await page.goto(f"{site.public}{path}")
        return page

    yield open_page
    if request.node.stash.get(FAILED, False):
        folder = ARTIFACTS / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for n, page in enumerate(p for c in contexts for p in c.pages):
            await page.screenshot(path=str(folder / f"{name}-{n}.png"), full_page=True)
    for context in contexts:
        await context.close()
