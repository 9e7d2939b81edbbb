"""Who is on call, from config alone: rotations, windows, covers, both DST changes.

Acme (tests/data/config.yaml): internal Mon-Fri 08:00-18:00 Europe/London, Sam and
Lee a week each from Monday 09:00; the partner the rest of the week, Dana and Raj a
day each from 18:00. Rotations start on Monday 2026-01-05.
In 2026 British Summer Time runs from Sun 29 March 01:00 UTC to Sun 25 October 01:00 UTC.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.config.schema import Tenant
from handlers.oncall.schedule import Cover, changes, on_call, turn

SAM, LEE = "sam@acme.example", "lee@acme.example"
DANA, RAJ = "dana@partner.example", "raj@partner.example"
LONDON = ZoneInfo("Europe/London")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def acme(cfg) -> Tenant:
    return cfg.tenant("acme")


def who(tenant, at: str, covers=()) -> tuple[str | None, str | None]:
    duty = on_call(tenant, list(covers), utc(at))
    return duty.email, duty.layer


@pytest.mark.parametrize(("at", "expected"), [
    # The week before the spring change: GMT, local time = UTC.
    ("2026-03-27T07:59", (DANA, "partner")),   # Fri 07:59 GMT: partner still on
    ("2026-03-27T08:00", (LEE, "internal")),   # Fri 08:00 GMT: office hours begin
    ("2026-03-27T17:59", (LEE, "internal")),
    ("2026-03-27T18:00", (RAJ, "partner")),    # 18:00 GMT: partner's daily handoff
    ("2026-03-28T17:59", (RAJ, "partner")),
    ("2026-03-28T18:00", (DANA, "partner")),   # Sat 18:00 GMT
    # Sun 29 March: clocks go forward; 18:00 BST is 17:00 UTC.
    ("2026-03-29T16:59", (DANA, "partner")),
    ("2026-03-29T17:00", (RAJ, "partner")),
    # Mon 30 March: office hours open at 08:00 BST = 07:00 UTC, Sam's week at 09:00 BST.
    ("2026-03-30T06:59", (RAJ, "partner")),
    ("2026-03-30T07:00", (LEE, "internal")),
    ("2026-03-30T08:00", (SAM, "internal")),
    ("2026-03-30T16:59", (SAM, "internal")),
    ("2026-03-30T17:00", (DANA, "partner")),   # 18:00 BST
])
def test_spring_forward(acme, at, expected):
    assert who(acme, at) == expected


@pytest.mark.parametrize(("at", "expected"), [
    ("2026-10-23T06:59", (DANA, "partner")),   # Fri 07:59 BST
    ("2026-10-23T07:00", (LEE, "internal")),   # Fri 08:00 BST, Lee's week
    ("2026-10-24T16:59", (RAJ, "partner")),    # Sat 17:59 BST
    ("2026-10-24T17:00", (DANA, "partner")),   # Sat 18:00 BST
    # Sun 25 October: clocks go back; 18:00 GMT is 18:00 UTC, an hour later than Saturday.
    ("2026-10-25T17:00", (DANA, "partner")),
    ("2026-10-25T17:59", (DANA, "partner")),
    ("2026-10-25T18:00", (RAJ, "partner")),
    ("2026-10-26T07:59", (RAJ, "partner")),
    ("2026-10-26T08:00", (LEE, "internal")),   # Mon 08:00 GMT
    ("2026-10-26T09:00", (SAM, "internal")),   # Mon 09:00 GMT: weekly handoff
])
def test_fall_back(acme, at, expected):
    assert who(acme, at) == expected


def test_daily_handoffs_keep_local_time_and_order_across_both_changes(acme):
    """Each day hands over at 18:00 local, alternating, however long the day was."""
    partner = acme.schedules[1]
    for first in (datetime(2026, 3, 26, tzinfo=UTC), datetime(2026, 10, 22, tzinfo=UTC)):
        found = changes(acme, [partner], [], first, timedelta(days=6))
        local = [m.astimezone(LONDON) for m in found]
        assert {(m.hour, m.minute) for m in local} == {(18, 0)}
        assert len(found) == 6
        people = [turn(acme, [], m, partner).now.email for m in found]
        assert all(a != b for a, b in zip(people, people[1:], strict=False))


def test_now_until_and_next(acme):
    found = turn(acme, [], utc("2026-11-20T14:02"))  # Friday afternoon
    assert (found.now.email, found.until) == (LEE, utc("2026-11-20T18:00"))
    assert (found.next.email, found.next_from) == (RAJ, utc("2026-11-20T18:00"))
    internal = turn(acme, [], utc("2026-11-20T14:02"), acme.schedules[0])
    assert internal.until == utc("2026-11-20T18:00")  # off for the weekend
    assert (internal.next.email, internal.next_from) == (SAM, utc("2026-11-23T09:00"))


def test_next_across_the_spring_change(acme):
    found = turn(acme, [], utc("2026-03-29T12:00"))  # Sunday, Dana until 18:00 BST
    assert (found.now.email, found.until) == (DANA, utc("2026-03-29T17:00"))
    assert found.next.email == RAJ


def test_tenant_cover_wins_over_every_layer_and_newest_cover_wins(acme):
    evening = Cover(SAM, utc("2026-11-20T18:00"), utc("2026-11-20T22:00"))
    later = Cover(LEE, utc("2026-11-20T20:00"), utc("2026-11-20T21:00"))
    covers = [evening, later]
    assert on_call(acme, covers, utc("2026-11-20T19:00")).email == SAM
    assert on_call(acme, covers, utc("2026-11-20T19:00")).override is True
    assert on_call(acme, covers, utc("2026-11-20T20:30")).email == LEE
    assert on_call(acme, covers, utc("2026-11-20T22:00")).email == RAJ  # the end is exclusive
    found = turn(acme, covers, utc("2026-11-20T17:00"))
    assert (found.now.email, found.until, found.next.email) == (LEE, utc("2026-11-20T18:00"), SAM)


def test_layer_cover_replaces_that_layer_only(acme):
    cover = Cover(SAM, utc("2026-11-21T10:00"), utc("2026-11-21T12:00"), layer="internal")
    # Saturday: the internal layer is normally off, the cover puts Sam on it and it wins.
    assert who(acme, "2026-11-21T11:00", [cover]) == (SAM, "internal")
    other = Cover(SAM, utc("2026-11-21T10:00"), utc("2026-11-21T12:00"), layer="partner")
    assert who(acme, "2026-11-20T11:00", [other]) == (LEE, "internal")


def test_overnight_window(cfg):
    night = cfg.tenant("acme").schedules[0].model_copy(update={
        "only": cfg.tenant("acme").schedules[0].only.model_copy(
            update={"days": "fri", "start": "22:00", "end": "06:00"}),
    })
    tenant = cfg.tenant("acme").model_copy(update={"schedules": [night]})
    assert who(tenant, "2026-11-20T21:59") == (None, None)  # Friday
    assert who(tenant, "2026-11-20T22:00")[1] == "internal"
    assert who(tenant, "2026-11-21T05:59")[1] == "internal"  # Saturday morning
    assert who(tenant, "2026-11-21T06:00") == (None, None)
    assert who(tenant, "2026-11-21T22:00") == (None, None)  # Saturday night is not listed


def test_nobody_and_no_next_without_schedules(cfg):
    found = turn(cfg.tenant("globex"), [], utc("2026-11-20T14:00"))
    assert (found.now.email, found.until, found.next) == (None, None, None)
