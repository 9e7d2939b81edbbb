"""The board: only the reader's tenants, the filters, keyset paging and the counts, on
SQLite and PostgreSQL."""

import sys
from datetime import timedelta

import pytest

from handlers.console import BoardFilters, PageRequest, board
from handlers.console.cursor import encode
from handlers.enums import Severity, Side, Status, Verb
from storage.audit import DEPLOYMENT
from tests.conftest import NOW
from tests.handlers.console.helpers import DANA, GINA, SAM, STRANGER, alert, refusals, run


def ids(page) -> list[str]:
    return [r.short_id for r in page.rows]


async def test_a_person_sees_only_their_tenants(db, cfg):
    acme = [await alert(db, cfg, "acme", minutes=i) for i in range(3)]
    globex = [await alert(db, cfg, "globex", minutes=i) for i in range(2)]
    gina = await board(db, cfg, GINA)
    assert ids(gina) == globex[::-1]
    assert [t.id for t in gina.tenants] == ["globex"]
    assert gina.total == 2
    assert ids(await board(db, cfg, SAM)) == acme[::-1]
    assert ids(await board(db, cfg, SAM, BoardFilters(tenant=" "))) == acme[::-1]
    both = await board(db, cfg, DANA)
    assert set(ids(both)) == {*acme, *globex} and both.total == 5
    assert [t.name for t in both.tenants] == ["Acme Ltd", "Globex Corp"]


@pytest.mark.parametrize("tenant", ["acme", "nowhere"])
async def test_another_tenant_in_the_filter_is_refused_as_an_unknown_one(db, cfg, tenant):
    await alert(db, cfg, "acme")
    assert await board(db, cfg, GINA, BoardFilters(tenant=tenant)) == (
        f"Tenant {tenant!r} is not available to you.")


async def test_no_cursor_reaches_another_tenants_alerts(db, cfg):
    """A position is only a position: one taken from tenant A's board, or made up, still
    reads the reader's tenants only."""
    acme = [await alert(db, cfg, "acme", minutes=i) for i in range(4)]
    globex = await alert(db, cfg, "globex", minutes=-5)
    sams = await board(db, cfg, SAM, page=PageRequest(size=2))
    for token in (sams.next_cursor, encode(NOW + timedelta(days=999), 2**31 - 1), "0-0"):
        found = await board(db, cfg, GINA, page=PageRequest(cursor=token))
        assert set(ids(found)) <= {globex}
    assert ids(sams) == acme[:1:-1]


@pytest.mark.parametrize(("filters", "page", "said"), [
    (BoardFilters(), PageRequest(cursor="yesterday"), "not one Tandem wrote"),
    (BoardFilters(), PageRequest(cursor="1-99999999999"), "not one Tandem wrote"),
    (BoardFilters(), PageRequest(cursor="999999999999999999-1"), "out of range"),
    (BoardFilters(state="everything"), PageRequest(), "Unknown board 'everything'"),
    (BoardFilters(severities=("urgent",)), PageRequest(), "Unknown severity 'urgent'"),
    (BoardFilters(text="x" * 101), PageRequest(), "at most 100 characters"),
    (BoardFilters(source="s" * 65), PageRequest(), "at most 64 characters"),
])
async def test_bad_filters_get_a_sentence(db, cfg, filters, page, said):
    refused = await board(db, cfg, SAM, filters, page)
    assert isinstance(refused, str) and said in refused


async def test_a_stranger_is_told_and_audited(db, cfg):
    said = await board(db, cfg, STRANGER)
    assert said.startswith("Tandem does not know who@nowhere.example")
    assert await refusals(db, DEPLOYMENT) == [said]


async def test_pages_walk_every_alert_once_newest_first(db, cfg):
    made = [await alert(db, cfg, "acme", minutes=i // 2) for i in range(7)]  # ties of two
    made += [await alert(db, cfg, "globex", minutes=i) for i in range(3)]
    seen, cursor, pages = [], None, 0
    while True:
        page = await board(db, cfg, DANA, page=PageRequest(cursor=cursor, size=3))
        seen += page.rows
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 4 and len(seen) == 10 and {r.short_id for r in seen} == set(made)
    order = [(r.first_seen, r.short_id) for r in seen]
    assert [r.first_seen for r in seen] == sorted((r.first_seen for r in seen), reverse=True)
    acme = [short for _, short in order if short.startswith("ACME")]
    assert acme == made[6::-1]  # equal times: the later alert first


async def test_page_size_is_kept_within_bounds(db, cfg):
    for i in range(3):
        await alert(db, cfg, minutes=i)
    assert (await board(db, cfg, SAM, page=PageRequest(size=0))).size == 1
    assert (await board(db, cfg, SAM, page=PageRequest(size=10_000))).size == 200


async def test_states_owner_and_counts(db, cfg):
    mine = await alert(db, cfg, severity=Severity.CRITICAL)
    theirs = await alert(db, cfg, severity=Severity.LOW, minutes=1)
    free = await alert(db, cfg, severity=Severity.LOW, minutes=2)
    done = await alert(db, cfg, severity=Severity.INFO, minutes=3)
    await run(db, cfg, Verb.CLAIM, mine, SAM)
    await run(db, cfg, Verb.CLAIM, theirs, DANA)
    await run(db, cfg, Verb.RESOLVE, done, SAM)
    expect = {"open": [free, theirs, mine], "mine": [mine], "unclaimed": [free],
              "resolved": [done], "all": [done, free, theirs, mine]}
    for state, alerts in expect.items():
        assert ids(await board(db, cfg, SAM, BoardFilters(state=state))) == alerts, state
    chips = dict((await board(db, cfg, SAM, BoardFilters(severities=("low",)))).counts)
    assert chips == {Severity.CRITICAL: 1, Severity.HIGH: 0, Severity.MEDIUM: 0,
                     Severity.LOW: 2, Severity.INFO: 0}  # the chips ignore their own filter
    claimed = (await board(db, cfg, SAM, BoardFilters(state="mine"))).rows[0]
    assert (claimed.owner.name, claimed.owner.side, claimed.status) == (
        "Sam Okafor", Side.INTERNAL, Status.CLAIMED)
    assert claimed.age(NOW + timedelta(minutes=5)) == timedelta(minutes=5)


async def test_severity_source_and_search(db, cfg):
    disk = await alert(db, cfg, title="Disk 100% full", source="prometheus")
    cpu = await alert(db, cfg, title="CPU hot", source="grafana", severity=Severity.MEDIUM,
                      minutes=1)
    other = await alert(db, cfg, title="Disk 10 full", source="prometheus", minutes=2)

    async def found(**filters):
        return ids(await board(db, cfg, SAM, BoardFilters(**filters)))

    assert await found(severities=("medium", "critical")) == [cpu]
    assert await found(source="prometheus") == [other, disk]
    assert await found(text="disk") == [other, disk]
    assert await found(text="100%") == [disk]  # LIKE's wildcard matches only itself
    assert await found(text="10_") == []
    assert await found(text=cpu.lower()) == [cpu]  # the start of a short id
    assert await found(text="  cpu   hot ") == [cpu]


async def test_rows_show_fix_and_escalation(db, cfg):
    short = await alert(db, cfg)
    await run(db, cfg, Verb.CLAIM, short, DANA)
    await run(db, cfg, Verb.ESCALATE, short, DANA, reason="stuck")
    await run(db, cfg, Verb.PROPOSE, short, DANA, remediation="restart-service")
    row = (await board(db, cfg, SAM)).rows[0]
    assert row.status is Status.REMEDIATION_PENDING and row.escalation_level == 1
    assert (row.fix.title, row.fix.status, row.fix.needs_internal_approver) == (
        "Restart the service", "pending", True)
    assert row.storm is None and row.tenant_name == "Acme Ltd"


async def test_the_history_goes_uncounted_past_the_cap(db, cfg, monkeypatch):
    for i in range(3):
        await alert(db, cfg, minutes=i, severity=Severity.LOW)
    monkeypatch.setattr(sys.modules["handlers.console.board"], "COUNT_CAP", 3)
    counted = await board(db, cfg, SAM, BoardFilters(state="all"))
    assert dict(counted.counts)[Severity.LOW] == 3
    await alert(db, cfg, minutes=4)
    uncounted = await board(db, cfg, SAM, BoardFilters(state="all"))
    assert (uncounted.counts, uncounted.total, len(uncounted.rows)) == (None, None, 4)
    assert (await board(db, cfg, SAM)).total == 4  # live states are always counted
