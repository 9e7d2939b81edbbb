"""/oncall and /silences: the reader's tenants only, and silences added and expired with
chat's rules and sentences. SQLite and PostgreSQL."""

import re

from tests.bot.web.pages.html import field, said, text


async def test_on_call_shows_now_and_next_for_each_of_the_readers_tenants(site):
    sam = await site.signed_in("sam@acme.example")
    status, page, _ = await sam.get("/oncall")
    assert status == 200 and text(page, "oncall-acme") == "Acme Ltd"
    assert "Globex" not in page
    assert re.findall(r'<th scope="row">(\w+)</th>', page) == ["internal", "partner"]
    assert text(page, "now", "class").startswith("Now: ")
    dana = await site.signed_in("dana@partner.example")
    _, page, _ = await dana.get("/oncall")
    assert "No on-call schedule is configured for Globex Corp." in page


async def test_a_silence_is_added_and_expired_with_chats_rules(site):
    sam = await site.signed_in("sam@acme.example")
    _, page, _ = await sam.get("/silences")
    assert text(page, "silence-tenant") == "Acme Ltd"
    form = {"csrf": field(page, "csrf"), "tenant": "acme", "matchers": "service=db",
            "duration": "2h", "reason": "maintenance <b>window</b>"}
    status, page, url = await sam.post("/silences", form)
    assert status == 200 and url.endswith("/silences")
    assert re.fullmatch(r"Silence \d+ added in Acme Ltd: service=db until .+\.", said(page))
    number = re.search(r'<tr id="silence-(\d+)">', page).group(1)
    assert "maintenance &lt;b&gt;window&lt;/b&gt;" in page
    status, page, _ = await sam.post(f"/silences/{number}/expire", {"csrf": form["csrf"]})
    assert said(page).startswith(f"Sam Okafor (internal) expired silence {number} in Acme Ltd.")
    assert f'id="silence-{number}"' not in page


async def test_a_silence_the_rules_refuse_is_said_and_the_form_kept(site):
    gina = await site.signed_in("gina@globex.example")
    _, page, _ = await gina.get("/silences")
    csrf = field(page, "csrf")
    status, page, _ = await gina.post("/silences", {"csrf": csrf, "tenant": "acme",
                                                    "matchers": "service=db", "duration": "2h"})
    assert status == 422 and said(page) == "Tenant 'acme' is not available to you."
    assert "Acme" not in page
    status, page, _ = await gina.post("/silences", {"csrf": csrf, "tenant": "globex",
                                                    "matchers": "service=db",
                                                    "duration": "forever"})
    assert status == 422 and said(page).startswith("Silence: ")
    assert 'value="forever"' in page and 'value="service=db"' in page


async def test_another_tenants_silence_cannot_be_expired(site):
    sam = await site.signed_in("sam@acme.example")
    _, page, _ = await sam.get("/silences")
    csrf = field(page, "csrf")
    await sam.post("/silences", {"csrf": csrf, "tenant": "acme", "matchers": "service=db",
                                 "duration": "2h"})
    _, page, _ = await sam.get("/silences")
    number = re.search(r'<tr id="silence-(\d+)">', page).group(1)
    gina = await site.signed_in("gina@globex.example")
    _, page, _ = await gina.get("/silences")
    assert f"silence-{number}" not in page
    _, page, _ = await gina.post(f"/silences/{number}/expire", {"csrf": field(page, "csrf")})
    assert said(page) == f"No silence {number} in your tenants."
