"""The gate: nothing of the console before sign-in, no change without the session's
CSRF token or from another site, and the machine routes left to their own checks."""

import pytest
from yarl import URL

from tests.bot.web.conftest import said

TOKEN_MISSING = ("This change was refused: it did not carry this session's security token; "
                 "reload the page and try again.")


@pytest.fixture
async def signed_in(console):
    browser = console.browser()
    await browser.sign_in()
    me = await browser.me()
    assert me is not None
    return browser, me["csrf"]


async def test_a_browser_is_sent_to_sign_in_and_a_script_gets_401(console):
    browser = console.browser()
    target = URL(await browser.location("/whoami?x=1"))
    assert target.path == "/auth/signin" and target.query["next"] == "/whoami?x=1"
    async with browser.http.get(browser.url("/"), headers={"Accept": "application/json"},
                                allow_redirects=False) as response:
        assert response.status == 401 and "Sign in first" in await response.text()
    async with browser.http.get(browser.url("/"), allow_redirects=False,
                                headers={"Accept": "*/*", "HX-Request": "true"}) as response:
        assert response.status == 401
        assert response.headers["HX-Redirect"] == "/auth/signin?next=%2F"


async def test_an_unknown_path_says_nothing_before_sign_in(console):
    """Which pages exist is not visible either: an unknown one redirects as a known one."""
    browser = console.browser()
    assert (await browser.location("/no/such/page")).startswith("/auth/signin?next=")


async def test_machine_routes_are_left_to_their_own_checks(console):
    browser = console.browser()
    async with browser.http.get(browser.url("/healthz"), allow_redirects=False) as response:
        assert response.status == 200
    async with browser.http.get(browser.url("/metrics"), allow_redirects=False) as response:
        assert response.status == 200
    async with browser.http.post(browser.url("/v1/alerts"), json={},
                                 allow_redirects=False) as response:
        assert response.status == 401 and response.content_type == "application/json"


async def test_sign_in_pages_and_static_files_are_open(console):
    browser = console.browser()
    status, css, _ = await browser.get("/static/console.css")
    assert status == 200 and "focus-visible" in css


async def test_a_change_without_the_token_is_refused(signed_in):
    browser, _ = signed_in
    status, page, _ = await browser.post("/auth/signout")
    assert status == 403 and said(page) == TOKEN_MISSING
    assert await browser.me() is not None  # still signed in: the sign-out did not happen


async def test_a_change_with_another_sessions_token_is_refused(console, signed_in):
    browser, _ = signed_in
    other = console.browser()
    await other.sign_in()
    other_token = (await other.me() or {})["csrf"]
    status, _, _ = await browser.post("/auth/signout", {"csrf": other_token})
    assert status == 403 and await browser.me() is not None


async def test_the_token_may_come_as_a_header(signed_in):
    browser, token = signed_in
    status, _, _ = await browser.post("/auth/signout", headers={"X-CSRF-Token": token})
    assert status == 200 and await browser.me() is None


async def test_a_script_is_refused_in_plain_text(signed_in):
    browser, _ = signed_in
    async with browser.http.post(browser.url("/auth/signout"),
                                 headers={"Accept": "*/*"}) as response:
        assert response.status == 403 and await response.text() == TOKEN_MISSING


async def test_a_change_sent_from_another_site_is_refused(signed_in):
    browser, token = signed_in
    status, page, _ = await browser.post("/auth/signout", {"csrf": token},
                                         headers={"Origin": "https://evil.example"})
    assert status == 403 and "sent from another site" in said(page)
    assert await browser.me() is not None


async def test_a_change_from_the_console_itself_passes(console, signed_in):
    browser, token = signed_in
    status, _, _ = await browser.post("/auth/signout", {"csrf": token},
                                      headers={"Origin": console.public})
    assert status == 200


async def test_every_change_to_a_console_page_needs_the_token(signed_in):
    """Not only /auth: a POST to any console path is checked before it is routed."""
    browser, token = signed_in
    status, _, _ = await browser.post("/", {"x": "1"})
    assert status == 403
    status, _, _ = await browser.post("/", {"csrf": token})
    assert status == 405  # past the gate: the front page takes no POST


async def test_a_token_of_any_characters_is_refused_not_crashed_on(signed_in):
    browser, _ = signed_in
    status, page, _ = await browser.post("/auth/signout", {"csrf": "jeton-é"})
    assert status == 403 and said(page) == TOKEN_MISSING
