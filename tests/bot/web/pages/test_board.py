"""The board at `/`: the reader's alerts only, tabs, chips with counts, search, keyset
paging both ways, and Claim straight from a row. SQLite and PostgreSQL."""

import re

from handlers.enums import Severity, Verb
from tests.bot.web.pages.html import buttons, claim, said, text
from tests.handlers.console.helpers import DANA, SAM, alert, run


def rows(page: str) -> list[str]:
    return re.findall(r'<tr id="row-([A-Z]+-\d+)"', page)


async def test_the_board_shows_the_readers_tenants_open_alerts_newest_first(site):
    first = await alert(site.db, site.cfg, "acme", title="Disk full on db-1", minutes=1)
    second = await alert(site.db, site.cfg, "acme", title="VPN down", severity=Severity.CRITICAL,
                         minutes=2)
    globex = await alert(site.db, site.cfg, "globex", title="Certificate expiring", minutes=3)
    sam = await site.signed_in("sam@acme.example")
    status, page, _ = await sam.get("/")
    assert status == 200 and rows(page) == [second, first]
    assert globex not in page and "Certificate expiring" not in page and "Globex" not in page
    assert f'<a id="open-{second}" href="/alerts/{second}">{second}</a>' in page
    row = text(page, f"row-{second}")
    assert row.startswith(f"{second} Critical VPN down Acme Ltd Open Unclaimed")
    assert buttons(page).count("Claim") == 2
    dana = await site.signed_in("dana@partner.example")
    _, page, _ = await dana.get("/")
    assert rows(page) == [globex, second, first]
    assert text(page, "Tenant", "aria-label") == "All tenants Acme Ltd Globex Corp"


async def test_tabs_chips_and_search_filter_the_board(site):
    db, cfg = site.db, site.cfg
    mine = await alert(db, cfg, title="Mine", severity=Severity.LOW)
    await run(db, cfg, Verb.CLAIM, mine, DANA)
    theirs = await alert(db, cfg, title="Theirs", severity=Severity.LOW)
    await run(db, cfg, Verb.CLAIM, theirs, SAM)
    loose = await alert(db, cfg, title="Nobody's, critical", severity=Severity.CRITICAL)
    done = await alert(db, cfg, title="Done with")
    await run(db, cfg, Verb.RESOLVE, done, SAM, note="fixed")
    dana = await site.signed_in("dana@partner.example")
    for query, expected in [("", {mine, theirs, loose}), ("?state=mine", {mine}),
                            ("?state=unclaimed", {loose}), ("?state=resolved", {done}),
                            ("?state=all", {mine, theirs, loose, done}),
                            ("?severity=low", {mine, theirs}), ("?q=critical", {loose}),
                            (f"?q={done.lower()}&state=all", {done}),
                            ("?tenant=globex", set())]:
        status, page, _ = await dana.get(f"/{query}")
        assert status == 200 and set(rows(page)) == expected, query
    _, page, _ = await dana.get("/")
    chips = text(page, "Severity", "aria-label")
    assert chips == "Critical 1 High 0 Medium 0 Low 2 Info 0"
    assert 'href="/?severity=low" aria-current="true"' not in page
    _, page, _ = await dana.get("/?severity=low")
    assert '<a class="chip" href="/" aria-current="true">' in page  # pressing it again clears it
    assert 'href="/?severity=critical&amp;severity=low"' in page


async def test_a_filter_the_reader_may_not_use_gets_the_domains_sentence(site):
    sam = await site.signed_in("sam@acme.example")
    status, page, _ = await sam.get("/?tenant=globex")
    assert status == 400 and text(page, "problem", "class").startswith(
        "Tenant 'globex' is not available to you.")
    status, page, _ = await sam.get("/?state=everything")
    assert status == 400 and text(page, "problem", "class").startswith(
        "Unknown board 'everything'; use one of: open, mine, unclaimed, all, resolved.")
    status, page, _ = await sam.get("/?after=not-a-position")
    assert status == 400 and text(page, "problem", "class").startswith(
        "That board position is not one Tandem wrote; start from the first page.")


async def test_paging_goes_forward_and_back(site):
    made = [await alert(site.db, site.cfg, title=f"Alert {n}", minutes=n) for n in range(105)]
    newest = made[::-1]
    sam = await site.signed_in("sam@acme.example")
    _, page, _ = await sam.get("/?q=Alert")
    assert rows(page) == newest[:50] and "Previous" not in page and "First page" not in page
    second = re.search(r'href="([^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
    _, page, _ = await sam.get(second)
    assert rows(page) == newest[50:100]
    third = re.search(r'href="([^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
    _, page, _ = await sam.get(third)
    assert rows(page) == newest[100:] and 'rel="next"' not in page
    back = re.search(r'href="([^"]+)" rel="prev"', page).group(1).replace("&amp;", "&")
    _, page, _ = await sam.get(back)
    assert rows(page) == newest[50:100]
    back = re.search(r'href="([^"]+)" rel="prev"', page).group(1).replace("&amp;", "&")
    assert back == "/?q=Alert"


async def test_claiming_from_a_row_runs_the_command_and_comes_back_saying_so(site):
    short = await alert(site.db, site.cfg, title="Disk full")
    dana = await site.signed_in("dana@partner.example")
    _, page, _ = await dana.get("/?severity=high")
    target, fields = claim(page, short)
    assert target == f"/alerts/{short}/act"
    assert fields["back"] == "/?severity=high" and fields["version"] == "1"
    status, page, url = await dana.post(target, fields)
    assert status == 200 and url.endswith("/?severity=high")
    assert said(page) == f"Dana Reyes (partner) claimed {short}."
    assert "Dana Reyes (partner)" in text(page, f"row-{short}") and "Claim" not in buttons(page)
    _, page, _ = await dana.get("/?severity=high")
    assert said(page) == ""  # said once


async def test_two_rows_claimed_from_one_page_are_two_claims(site):
    first, second = [await alert(site.db, site.cfg, title=t) for t in ("One", "Two")]
    dana = await site.signed_in("dana@partner.example")
    _, page, _ = await dana.get("/")
    for short in (first, second):
        target, fields = claim(page, short)
        _, said_page, _ = await dana.post(target, fields)
        assert said(said_page) == f"Dana Reyes (partner) claimed {short}."
    _, again, _ = await dana.post(*claim(page, first))  # the same button twice: once
    assert said(again) == "Already done; nothing changed."


async def test_a_claim_from_a_stale_row_is_refused_and_the_board_shows_it_now(site):
    short = await alert(site.db, site.cfg)
    dana = await site.signed_in("dana@partner.example")
    _, page, _ = await dana.get("/")
    target, stale = claim(page, short)
    await run(site.db, site.cfg, Verb.CLAIM, short, SAM)
    status, page, _ = await dana.post(target, stale)
    assert status == 200 and "Sam Okafor (internal)" in text(page, f"row-{short}")
    assert said(page).startswith(f"{short} ")
    assert 'class="said said-refused" role="alert"' in page


async def test_a_title_with_markup_is_shown_as_text(site):
    short = await alert(site.db, site.cfg, title='<img src=x onerror="alert(1)"><b>bold</b>')
    sam = await site.signed_in("sam@acme.example")
    for path in ("/", "/board", f"/alerts/{short}"):
        _, page, _ = await sam.get(path)
        assert "<img src=x" not in page and "<b>bold" not in page, path
        assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;&lt;b&gt;bold&lt;/b&gt;" in page


async def test_the_live_part_is_the_board_without_the_page_around_it(site):
    short = await alert(site.db, site.cfg)
    sam = await site.signed_in("sam@acme.example")
    _, page, _ = await sam.get("/?severity=high")
    assert 'data-fragment="/board?severity=high"' in page
    status, part, _ = await sam.get("/board?severity=high")
    assert status == 200 and "<html" not in part and rows(part) == [short]
