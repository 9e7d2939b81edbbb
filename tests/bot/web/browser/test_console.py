"""Working alerts in the console in Chromium: signing in, claiming from the board, a
change made in Slack showing on an open page, approvals and their refusals, a change
without the CSRF token, another tenant's alerts, markup in a title."""

import asyncio
import re

import pytest
from playwright.async_api import expect

from cards import actions as A
from fakes.slack import payloads
from handlers.enums import Severity, Verb
from handlers.reads import show_alert
from tests.bot.web.browser.conftest import LOOP
from tests.handlers.console.helpers import GINA, RAJ, SAM, alert, run

pytestmark = [LOOP, pytest.mark.slow]


async def live(page) -> None:
    """Wait until the page's stream is open and the page was fetched after it."""
    await expect(page.locator("#live-state")).to_have_text(re.compile(r"^Updated "))


async def test_signing_in_through_the_provider_opens_the_board(open_as, site):
    short = await alert(site.db, site.cfg, title="Disk full on db-1")
    page = await open_as("sam@acme.example")
    await expect(page).to_have_url(f"{site.public}/")
    await expect(page.locator(".who")).to_have_text("Signed in as Sam Okafor (internal)")
    await expect(page.get_by_role("link", name=short)).to_be_visible()
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Skip to content")).to_be_focused()


async def test_a_person_claims_from_the_board(open_as, site):
    short = await alert(site.db, site.cfg, title="Disk full on db-1")
    page = await open_as("dana@partner.example")
    await page.get_by_role("button", name=f"Claim {short}").click()
    await expect(page.locator("#said")).to_have_text(f"Dana Reyes (partner) claimed {short}.")
    await expect(page.locator("#said")).to_be_focused()
    row = page.locator(f"#row-{short}")
    await expect(row.locator(".owner")).to_have_text("Dana Reyes (partner)")
    await expect(row.get_by_role("button")).to_have_count(0)


async def test_a_slack_click_made_elsewhere_shows_on_the_open_pages(open_as, site):
    short = await alert(site.db, site.cfg, title="VPN down", severity=Severity.CRITICAL)
    board = await open_as("sam@acme.example")
    page = await open_as("sam@acme.example", f"/alerts/{short}")
    await live(board)
    await live(page)
    owner = page.locator('[data-fact="Owner"] dd')
    await expect(owner).to_have_text("Unclaimed")
    await page.locator("summary", has_text="Comment").click()
    await page.get_by_role("textbox", name="Comment").fill("half-typed thought")
    view = await show_alert(site.db, site.cfg, SAM, short)
    assert await site.stack.click(payloads.DANA, short, view.state_version, A.CLAIM) == 200
    await expect(owner).to_have_text("Dana Reyes (partner)", timeout=2000)
    await expect(page.get_by_role("textbox", name="Comment")).to_have_value("half-typed thought")
    await expect(page.get_by_role("textbox", name="Comment")).to_be_focused()
    await expect(page.locator("#timeline")).to_contain_text("dana@partner.example (partner) "
                                                            "claim open → claimed")
    await expect(board.locator(f"#row-{short} .owner")).to_have_text("Dana Reyes (partner)",
                                                                     timeout=2000)


async def test_a_partner_cannot_approve_its_own_fix_and_an_internal_approver_can(open_as, site):
    short = await alert(site.db, site.cfg, title="Disk full", severity=Severity.CRITICAL)
    await run(site.db, site.cfg, Verb.CLAIM, short, RAJ)
    raj = await open_as("raj@partner.example", f"/alerts/{short}")
    await raj.get_by_text("Propose fix", exact=True).click()
    await raj.get_by_label("Remediation").select_option(label="Restart the service "
                                                             "(needs an internal approver)")
    await raj.get_by_label("Note for the approver (optional)").fill("the service hangs")
    await raj.get_by_role("button", name="Propose", exact=True).click()
    await expect(raj.locator("#said")).to_have_text(f"Raj Patel (partner) proposed a fix for "
                                                    f"{short}.")
    await expect(raj.get_by_role("button", name="Approve fix")).to_have_count(0)
    # As from a page opened before: the Withdraw button's form sent as an approval, changed
    # and submitted in one step on the page as it is then (a live refresh swaps the form).
    await raj.evaluate("""() => {
        const input = document.querySelector('input[name="action"][value="alert.withdraw"]');
        input.value = 'alert.approve';
        const button = [...input.form.querySelectorAll('button')]
            .find(b => b.textContent.includes('Withdraw fix'));
        input.form.requestSubmit(button);
    }""")
    await expect(raj.locator("#said")).to_have_text(
        f"You proposed this fix for {short}; someone else must approve it.")
    await expect(raj.locator("#said")).to_have_attribute("role", "alert")
    await live(raj)
    sam = await open_as("sam@acme.example", f"/alerts/{short}")
    await sam.get_by_role("button", name="Approve fix").click()
    await expect(sam.locator("#said")).to_have_text(f"Sam Okafor (internal) approved the fix "
                                                    f"for {short}.")
    await expect(raj.locator('[data-fact="Status"] dd')).to_have_text(re.compile("^Fix "),
                                                                      timeout=2000)


async def test_a_change_without_the_csrf_token_is_refused(open_as, site):
    short = await alert(site.db, site.cfg)
    page = await open_as("dana@partner.example")
    await live(page)  # the page's first refresh is done: it would bring the token back
    await page.locator("#claim-form input[name=csrf]").evaluate("input => input.remove()")
    await page.get_by_role("button", name=f"Claim {short}").click()
    await expect(page.locator("main")).to_contain_text(
        "This change was refused: it did not carry this session's security token; reload "
        "the page and try again.")
    assert (await show_alert(site.db, site.cfg, SAM, short)).owner is None


async def test_a_person_of_another_tenant_sees_nothing_of_it(open_as, site):
    acme = await alert(site.db, site.cfg, "acme", title="Acme's secret")
    globex = await alert(site.db, site.cfg, "globex", title="Globex's own")
    page = await open_as("gina@globex.example")
    await expect(page.get_by_role("link", name=globex)).to_be_visible()
    assert "Acme" not in await page.content()
    await page.evaluate("""() => {
        window.heard = [];
        const source = new EventSource('/events');
        source.addEventListener('change', e => window.heard.push(JSON.parse(e.data)));
        return new Promise(ready => source.addEventListener('ready', ready));
    }""")
    await run(site.db, site.cfg, Verb.CLAIM, acme, SAM)
    await run(site.db, site.cfg, Verb.CLAIM, globex, GINA)
    heard: list[dict] = []
    async with asyncio.timeout(3):  # polled from here: the page's policy forbids eval
        while not any(globex in change["alerts"] for change in heard):
            await asyncio.sleep(0.05)
            heard = await page.evaluate("heard")
    assert all(acme not in change["alerts"] and "acme" not in change["tenants"]
               for change in heard), heard
    await page.goto(f"{site.public}/alerts/{acme}")
    await expect(page.locator("main")).to_contain_text(f"{acme} is not available to you.")
    assert "Acme's secret" not in await page.content()


async def test_markup_in_a_title_is_shown_as_text(open_as, site):
    title = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
    short = await alert(site.db, site.cfg, title=title)
    page = await open_as("sam@acme.example")
    await expect(page.locator(f"#row-{short} .title")).to_have_text(title)
    await page.goto(f"{site.public}/alerts/{short}")
    await expect(page.locator("#headline")).to_have_text(f"{short} · {title}")
    assert await page.evaluate("window.pwned") is None


async def test_the_board_reads_on_a_phone(open_as, site):
    await alert(site.db, site.cfg, title="A long title " * 8)
    page = await open_as("dana@partner.example", viewport=(390, 844))
    width = await page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390
    await expect(page.get_by_role("button", name=re.compile("^Claim "))).to_be_visible()
