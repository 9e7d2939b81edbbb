"""Sign-ins the console refuses: a page with one sentence, 403, and no session."""

import pytest
from yarl import URL

from fakes.oidc import SPOILS
from tests.bot.web.conftest import said

SENTENCES = {
    "wrong-audience": "Sign-in refused: the provider's token was issued for another "
                      "application.",
    "bad-signature": "Sign-in refused: the provider's token does not carry the provider's "
                     "signature.",
    "wrong-issuer": "Sign-in refused: the provider's token was issued by another provider "
                    "than the one configured.",
    "expired": "Sign-in refused: the provider's token has expired.",
    "wrong-nonce": "Sign-in refused: the provider's token belongs to another sign-in "
                   "attempt.",
}


async def refused(browser) -> str:
    status, page, url = await browser.sign_in()
    assert status == 403 and "/auth/callback" in url, (status, url)
    assert await browser.me() is None
    return said(page)


@pytest.mark.parametrize("spoil", SPOILS)
async def test_a_bad_id_token_is_refused(console, spoil):
    console.oidc.spoil = spoil
    assert await refused(console.browser()) == SENTENCES[spoil]


async def test_a_good_token_after_the_refusals_still_signs_in(console):
    """The refusals above are the token's doing: the same sign-in unspoiled works."""
    console.oidc.spoil = None
    browser = console.browser()
    await browser.sign_in()
    assert await browser.me() is not None


async def _callback_url(browser) -> str:
    """Where the provider sends the browser back to, not followed."""
    to_provider = await browser.location("/auth/signin")
    async with browser.http.get(to_provider, allow_redirects=False) as response:
        return response.headers["Location"]


async def test_a_replayed_state_is_refused(console):
    browser = console.browser()
    back = await _callback_url(browser)
    cookies = {c.key: c.value for c in browser.http.cookie_jar}
    status, _, _ = await browser.get(back)
    assert status == 200 and await browser.me() is not None
    # Someone holding the same cookie and callback replays them: the state is spent.
    replayer = console.browser()
    replayer.http.cookie_jar.update_cookies(cookies, URL(console.public))
    status, page, _ = await replayer.get(back)
    assert status == 403 and await replayer.me() is None
    assert said(page) == "Sign-in refused: this sign-in link was used already; sign in again."


async def test_a_callback_for_a_sign_in_started_elsewhere_is_refused(console):
    victim, attacker = console.browser(), console.browser()
    back = await _callback_url(attacker)
    status, page, _ = await victim.get(back)
    assert status == 403 and await victim.me() is None
    assert "does not belong to a sign-in started in this browser" in said(page)


async def test_a_code_stolen_from_another_sign_in_fails_pkce(console):
    """A's code delivered to B's callback with B's state: B's verifier does not match
    the challenge A's code was issued for, so the provider refuses the exchange."""
    a, b = console.browser(), console.browser()
    a_back, b_back = URL(await _callback_url(a)), URL(await _callback_url(b))
    swapped = b_back.update_query(code=a_back.query["code"])
    status, page, _ = await b.get(str(swapped))
    assert status == 403 and await b.me() is None
    assert said(page) == "The provider refused the sign-in code (invalid_grant); sign in again."


async def test_a_person_not_configured_is_refused(console):
    console.oidc.user = {"oid": "aad-stranger", "email": "stranger@elsewhere.example"}
    assert await refused(console.browser()) == (
        "Tandem does not know stranger@elsewhere.example: ask an admin to add you to the "
        "people section of Tandem's configuration.")


async def test_another_account_with_a_pinned_persons_email_is_refused(console):
    """Sam's object id is configured: an account of another directory showing Sam's
    email is not Sam, as in Teams."""
    console.oidc.user = {"oid": "aad-impostor", "email": "sam@acme.example"}
    assert await refused(console.browser()) == (
        "This account (object id aad-impostor) is not the one configured for "
        "sam@acme.example, so Tandem does not sign it in; ask an admin if your account "
        "changed.")


async def test_an_email_the_provider_has_not_verified_is_not_used(console):
    console.oidc.user = {"sub": "x", "email": "ivy@acme.example", "email_verified": False}
    assert "Tandem does not know this account" in await refused(console.browser())


async def test_a_provider_that_says_no_is_refused_with_its_reason(console):
    console.oidc.user = None
    assert await refused(console.browser()) == (
        "The provider did not sign you in (access_denied); sign in again.")


async def test_a_state_of_any_characters_is_refused_not_crashed_on(console):
    browser = console.browser()
    back = URL(await _callback_url(browser))
    status, page, _ = await browser.get(str(back.update_query(state="état")))
    assert status == 403 and "does not belong to a sign-in" in said(page)
