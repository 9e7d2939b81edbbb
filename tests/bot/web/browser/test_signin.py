"""Sign-in refusals as a person meets them in Chromium: a token for another audience, a
token with a bad signature, a replayed sign-in link. None leaves a session behind."""

import re
from http.cookies import SimpleCookie

import pytest
from playwright.async_api import expect

from tests.bot.web.browser.conftest import LOOP

pytestmark = [LOOP, pytest.mark.slow]


@pytest.mark.parametrize(("spoil", "sentence"), [
    ("wrong-audience", "Sign-in refused: the provider's token was issued for another "
                       "application."),
    ("bad-signature", "Sign-in refused: the provider's token does not carry the provider's "
                      "signature."),
])
async def test_a_bad_token_is_refused(open_as, site, spoil, sentence):
    site.oidc.spoil = spoil
    page = await open_as("sam@acme.example")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in refused")
    await expect(page.locator("main p").first).to_have_text(sentence)
    site.oidc.spoil = None
    response = await page.request.get(f"{site.public}/events")
    assert response.status == 401  # no session was made


async def test_a_replayed_sign_in_link_is_refused(chromium, open_as, site):
    """The provider's way back (its link with the code and state), replayed with the
    cookie of the sign-in it belonged to, after that sign-in was made."""
    first = await open_as()
    site.oidc.user = {"email": "sam@acme.example"}
    async with first.expect_request(re.compile(r"/auth/callback\?")) as sent:
        await first.goto(f"{site.public}/")
    callback = await sent.value
    cookie = (await callback.all_headers())["cookie"]
    await expect(first.locator(".who")).to_have_text("Signed in as Sam Okafor (internal)")
    again = await chromium.new_context()
    await again.add_cookies([{"name": name, "value": morsel.value, "url": site.public}
                             for name, morsel in SimpleCookie(cookie).items()])
    page = await again.new_page()
    await page.goto(callback.url)
    await expect(page.locator("main")).to_have_text(
        "Sign-in refused\nSign-in refused: this sign-in link was used already; sign in again."
        "\nSign in again")
    response = await page.request.get(f"{site.public}/events")
    assert response.status == 401
    await again.close()
