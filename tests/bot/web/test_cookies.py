"""The session cookie: its flags, its signature and its lifetime."""

import time
from http.cookies import SimpleCookie

import time_machine
from yarl import URL

from bot.web.sessions import SESSION_SECONDS


async def set_cookie(browser, path: str) -> SimpleCookie:
    async with browser.http.get(browser.url(path), allow_redirects=False) as response:
        [header] = response.headers.getall("Set-Cookie")
        return SimpleCookie(header)


async def test_over_http_the_cookie_is_httponly_and_samesite_lax(console):
    [(name, morsel)] = (await set_cookie(console.browser(), "/auth/signin")).items()
    assert name == "tandem_session"
    assert morsel["httponly"] is True and morsel["samesite"] == "Lax"
    assert morsel["path"] == "/" and int(morsel["max-age"]) == SESSION_SECONDS
    assert not morsel["secure"] and not morsel["domain"]


async def test_over_https_it_is_secure_and_kept_to_this_host(start_console):
    console = await start_console(public_url="https://tandem.acme.example")
    [(name, morsel)] = (await set_cookie(console.browser(), "/auth/signin")).items()
    assert name == "__Host-tandem_session"
    assert morsel["secure"] is True and morsel["httponly"] is True
    assert morsel["samesite"] == "Lax" and morsel["path"] == "/" and not morsel["domain"]


async def test_the_session_holds_no_secret_of_the_provider(console):
    browser = console.browser()
    await browser.sign_in()
    [cookie] = list(browser.http.cookie_jar)
    assert console.oidc.client_secret not in cookie.value and "eyJhbGciOi" not in cookie.value


async def test_a_tampered_cookie_is_no_session(console):
    browser = console.browser()
    await browser.sign_in()
    [cookie] = list(browser.http.cookie_jar)
    payload, _, signature = cookie.value.partition(".")
    browser.http.cookie_jar.update_cookies(
        {cookie.key: f"{payload[:-2]}xx.{signature}"}, URL(console.public))
    assert await browser.me() is None


async def test_a_cookie_signed_with_another_secret_is_no_session(start_console, console):
    browser = console.browser()
    await browser.sign_in()
    [cookie] = list(browser.http.cookie_jar)
    other = await start_console(session_secret="another-secret")
    stranger = other.browser()
    stranger.http.cookie_jar.update_cookies({cookie.key: cookie.value}, URL(other.public))
    assert await stranger.me() is None


async def test_a_session_ends_after_twelve_hours(console):
    """Checked by the server, whatever the browser keeps (sent here by hand)."""
    browser = console.browser()
    await browser.sign_in()
    [cookie] = list(browser.http.cookie_jar)

    async def signed_in() -> bool:
        async with browser.http.get(browser.url("/whoami"), cookies=None, headers={
                "Accept": "*/*", "Cookie": f"{cookie.key}={cookie.value}"}) as response:
            return response.status == 200

    browser.http.cookie_jar.clear()
    assert await signed_in()
    with time_machine.travel(time.time() + SESSION_SECONDS - 60):
        assert await signed_in()
    with time_machine.travel(time.time() + SESSION_SECONDS + 60):
        assert not await signed_in()
