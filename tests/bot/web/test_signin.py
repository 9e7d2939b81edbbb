"""Signing in through the OpenID provider, end to end over loopback HTTP."""

from urllib.parse import parse_qs, urlsplit

from tests.bot.web.conftest import SAM, said


async def test_a_browser_signs_in_through_the_provider_and_sees_who_it_is(console):
    browser = console.browser()
    assert await browser.me() is None
    status, page, url = await browser.sign_in()
    assert status == 200 and url == f"{console.public}/"
    assert "Signed in as <strong>Sam Okafor</strong> (internal)" in page
    assert "<h1>Alerts</h1>" in page and "Globex" not in page
    me = await browser.me()
    assert me and me["email"] == "sam@acme.example" and me["tenants"] == ["acme"]
    [grant] = console.oidc.codes.values()
    assert grant.used and console.oidc.client_auth == ["client_secret_post"]


async def test_the_provider_is_sent_pkce_state_and_nonce(console):
    browser = console.browser()
    target = await browser.location("/auth/signin")
    assert target.startswith(f"{console.oidc.issuer.rsplit('/v2.0', 1)[0]}/oauth2/v2.0/authorize")
    query = {k: v[0] for k, v in parse_qs(urlsplit(target).query).items()}
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["response_type"] == "code" and "openid" in query["scope"].split()
    assert query["redirect_uri"] == f"{console.public}/auth/callback"
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    again = {k: v[0] for k, v in parse_qs(urlsplit(await browser.location("/auth/signin"))
                                               .query).items()}
    assert {again[k] for k in ("state", "nonce", "code_challenge")}.isdisjoint(query.values())


async def test_client_secret_basic_is_used_when_the_provider_takes_only_that(start_console,
                                                                           oidc):
    oidc.auth_methods, oidc.client_secret = ("client_secret_basic",), "s3:cr/et+~ ü"
    console = await start_console(oidc_client_secret=oidc.client_secret)
    browser = console.browser()
    status, _, _ = await browser.sign_in()
    assert status == 200 and oidc.client_auth == ["client_secret_basic"]
    assert (await browser.me() or {}).get("email") == "sam@acme.example"


async def test_the_client_secret_may_come_from_a_file(start_console, oidc, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text(f"{oidc.client_secret}\n")
    console = await start_console(oidc_client_secret=None, oidc_client_secret_file=secret)
    browser = console.browser()
    await browser.sign_in()
    assert (await browser.me() or {}).get("email") == "sam@acme.example"


async def test_after_signing_in_the_browser_is_back_where_it_was_going(console):
    browser = console.browser()
    status, _, url = await browser.get("/?tab=mine&tenant=acme")
    assert status == 200 and url == f"{console.public}/?tab=mine&tenant=acme"


async def test_a_return_path_to_another_site_leads_home(console):
    browser = console.browser()
    status, _, url = await browser.get("/auth/signin?next=//evil.example/x")
    assert status == 200 and url == f"{console.public}/"


async def test_the_object_id_alone_finds_its_person(console):
    console.oidc.user = {"oid": "aad-sam"}
    browser = console.browser()
    await browser.sign_in()
    assert (await browser.me() or {}).get("email") == "sam@acme.example"


async def test_a_person_with_no_object_id_configured_is_found_by_email(console):
    console.oidc.user = {"oid": "aad-ivy", "preferred_username": "Ivy@Acme.example"}
    browser = console.browser()
    await browser.sign_in()
    assert (await browser.me() or {}).get("email") == "ivy@acme.example"


async def test_signing_out_ends_the_session(console):
    browser = console.browser()
    await browser.sign_in()
    me = await browser.me()
    assert me is not None
    status, page, _ = await browser.post("/auth/signout", {"csrf": me["csrf"]})
    assert status == 200 and said(page) == "You are signed out of Tandem."
    assert await browser.me() is None


async def test_a_signed_in_browser_going_to_sign_in_stays_signed_in(console):
    browser = console.browser()
    await browser.sign_in()
    assert await browser.location("/auth/signin?next=/x") == "/x"
    assert len(console.oidc.codes) == 1


async def test_a_provider_that_cannot_be_reached_is_said_in_one_sentence(start_console, oidc):
    console = await start_console(oidc_issuer="http://127.0.0.1:9/nowhere")
    status, page, _ = await console.browser().sign_in()
    assert status == 502
    assert said(page).startswith("The sign-in provider at http://127.0.0.1:9/nowhere/.well-")


async def test_unchanged_claims_keep_sams_display_name_from_the_configuration(console):
    assert SAM["name"] != "Sam Okafor"
    browser = console.browser()
    await browser.sign_in()
    assert (await browser.me() or {}).get("name") == "Sam Okafor"
