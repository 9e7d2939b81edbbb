"""A person sees only their tenants, as the configuration in force says on each request."""

from tests.bot.web.conftest import GINA


async def test_a_person_of_one_tenant_has_only_that_tenant(console):
    console.oidc.user = dict(GINA)
    browser = console.browser()
    status, page, _ = await browser.sign_in()
    assert status == 200
    me = await browser.me()
    assert me == {"email": "gina@globex.example", "name": "Gina Moss", "side": "internal",
                  "tenants": ["globex"], "csrf": me and me["csrf"]}
    assert "Tenant: Globex Corp" in page and "Acme" not in page and "acme" not in page


async def test_a_partner_of_two_tenants_has_both(console):
    console.oidc.user = {"email": "dana@partner.example"}
    browser = console.browser()
    status, page, _ = await browser.sign_in()
    assert status == 200 and "(partner)" in page
    assert (await browser.me() or {})["tenants"] == ["acme", "globex"]


async def test_a_reload_applies_to_a_signed_in_session_at_once(console):
    browser = console.browser()
    await browser.sign_in()
    runtime, cfg = console.runtime, console.runtime.cfg
    people = [p.model_copy(update={"tenants": ["acme", "globex"]})
              if p.email == "sam@acme.example" else p for p in cfg.people]
    await runtime.swap(2, cfg.model_copy(update={"people": people}))
    assert (await browser.me() or {})["tenants"] == ["acme", "globex"]
    others = [p for p in cfg.people if p.email != "sam@acme.example"]
    await runtime.swap(3, cfg.model_copy(update={"people": others}))
    assert await browser.me() is None  # removed from the configuration: signed out
