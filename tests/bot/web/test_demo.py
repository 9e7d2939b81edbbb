"""Demo mode's "sign in as", and what /auth/signin says with no provider configured."""

import re

from tests.bot.web.conftest import said

NO_PROVIDER = {"oidc_issuer": None, "oidc_client_id": None, "oidc_client_secret": None}


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


async def test_the_picker_lists_the_configured_people_and_signs_in_as_one(start_console):
    console = await start_console(demo=True, **NO_PROVIDER)
    browser = console.browser()
    status, page, url = await browser.get("/")
    assert status == 200 and url.startswith(f"{console.public}/auth/as")
    assert page.count('name="email"') == len(console.runtime.cfg.people)
    assert "Dana Reyes" in page and "dana@partner.example · partner · acme, globex" in page
    status, page, url = await browser.post("/auth/as", {"csrf": csrf_of(page), "next": "/",
                                                        "email": "dana@partner.example"})
    assert status == 200 and url == f"{console.public}/"
    assert "Signed in as <strong>Dana Reyes</strong> (partner)" in page
    assert (await browser.me() or {})["tenants"] == ["acme", "globex"]


async def test_the_picker_escapes_what_the_configuration_says(start_console):
    console = await start_console(demo=True, **NO_PROVIDER)
    cfg = console.runtime.cfg
    people = [p.model_copy(update={"name": "<script>alert(1)</script>"})
              if p.email == "ivy@acme.example" else p for p in cfg.people]
    console.runtime.cfg = cfg.model_copy(update={"people": people})
    _, page, _ = await console.browser().get("/auth/as")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


async def test_choosing_without_the_token_is_refused(start_console):
    console = await start_console(demo=True, **NO_PROVIDER)
    browser = console.browser()
    await browser.get("/auth/as")
    status, _, _ = await browser.post("/auth/as", {"email": "sam@acme.example"})
    assert status == 403 and await browser.me() is None


async def test_choosing_someone_not_configured_is_refused(start_console):
    console = await start_console(demo=True, **NO_PROVIDER)
    browser = console.browser()
    _, page, _ = await browser.get("/auth/as")
    status, page, _ = await browser.post("/auth/as", {"csrf": csrf_of(page),
                                                      "email": "nobody@acme.example"})
    assert status == 403 and await browser.me() is None
    assert said(page) == "That person is not in the configuration; choose one from the list."


async def test_outside_demo_mode_the_picker_is_refused(console):
    browser = console.browser()
    status, page, _ = await browser.get("/auth/as")
    assert status == 404
    assert said(page) == "Signing in as someone else exists only in demo mode (tandem demo)."
    await browser.sign_in()  # a real session, so the CSRF token is right
    token = (await browser.me() or {})["csrf"]
    status, page, _ = await browser.post("/auth/as", {"csrf": token,
                                                      "email": "gina@globex.example"})
    assert status == 403 and "only in demo mode" in said(page)
    assert (await browser.me() or {})["email"] == "sam@acme.example"


async def test_without_a_provider_sign_in_says_how_to_configure_one(start_console):
    console = await start_console(**NO_PROVIDER)
    status, page, url = await console.browser().get("/")
    assert status == 503 and url.startswith(f"{console.public}/auth/signin")
    assert said(page) == (
        "Sign-in is not configured: set TANDEM_OIDC_ISSUER, TANDEM_OIDC_CLIENT_ID, "
        "TANDEM_OIDC_CLIENT_SECRET (or TANDEM_OIDC_CLIENT_SECRET_FILE) and TANDEM_PUBLIC_URL, "
        "then restart Tandem.")
