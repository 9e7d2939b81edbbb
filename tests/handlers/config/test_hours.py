"""Time zones, business hours, and cross references between tenants and people."""

from datetime import UTC, datetime, time, timedelta

import pytest

from handlers.config.hours import BusinessHours, LayerHours
from handlers.intake.routing import in_business_hours
from handlers.silences.matching import parse_every
from handlers.timing.weekly import Window
from tests.handlers.config.samples import (
    person,
    problems,
    tenant,
)

# --- time zones, business hours -------------------------------------------------------------


@pytest.mark.parametrize(
    "zone",
    ["Mars/Olympus", "Europe", "", "/etc/localtime", "../zoneinfo", "Europe/London/", "UTC "],
)
def test_unknown_time_zone(zone):
    assert problems(tenant(timezone=zone)) == [
        f"tenants[0].timezone: unknown time zone {zone!r} (use an IANA name such as Europe/London)"
    ]


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Asia/Kolkata", "UTC"])
def test_known_time_zone(zone):
    assert problems(tenant(timezone=zone)) == []


@pytest.mark.parametrize(
    ("days", "weekdays"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("sat,sun", {5, 6}),
        ("Mon-Fri", {0, 1, 2, 3, 4}),
        ("mon, wed, fri", {0, 2, 4}),
        ("fri-mon", {4, 5, 6, 0}),  # wraps over the weekend
        ("mon-wed,fri", {0, 1, 2, 4}),
        ("sun", {6}),
    ],
)
def test_business_days_that_routing_understands(days, weekdays):
    hours = BusinessHours(days=days, start="00:00", end="23:59")
    assert problems(tenant(business_hours={"days": days})) == []
    # 2026-11-16 is a Monday; noon UTC on each day of that week.
    inside = {
        d
        for d in range(7)
        if in_business_hours(hours, "UTC", datetime(2026, 11, 16 + d, 12, tzinfo=UTC))
    }
    assert inside == weekdays


@pytest.mark.parametrize(
    ("days", "word"),
    [
        ("funday", "funday"),
        ("", ""),
        ("mon--fri", "-fri"),
        ("monday-friday", "monday"),
        ("mon;fri", "mon;fri"),
        ("weekdays", "weekdays"),
        ("mon,,fri", ""),
        ("mon-", ""),  # a range needs both ends
        ("-fri", ""),
    ],
)
def test_business_days_routing_could_not_read_are_refused(days, word):
    """Refused when the file is checked, not when routing first meets the rule."""
    assert problems(tenant(business_hours={"days": days})) == [
        f"tenants[0].business_hours.days: {word!r} in {days!r} is not a day; use mon..sun, "
        "e.g. mon-fri or sat,sun"
    ]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("8:00", "18:00", ["tenants[0].business_hours.start: must be a time of day such as 08:00"]),
        ("08:00", "24:00", ["tenants[0].business_hours.end: must be a time of day such as 08:00"]),
        (
            "08:60",
            "18:00",
            ["tenants[0].business_hours.start: must be a time of day such as 08:00"],
        ),
        ("18:00", "08:00", []),  # runs overnight
        ("00:00", "23:59", []),
    ],
)
def test_business_hours_clock(start, end, expected):
    assert problems(tenant(business_hours={"start": start, "end": end})) == expected


def test_overnight_business_hours():
    hours = BusinessHours(days="fri", start="18:00", end="08:00")
    friday = datetime(2026, 11, 20, tzinfo=UTC)
    assert not in_business_hours(hours, "UTC", friday.replace(hour=17, minute=59))
    assert in_business_hours(hours, "UTC", friday.replace(hour=18))
    assert in_business_hours(hours, "UTC", friday.replace(hour=7) + timedelta(days=1))
    assert not in_business_hours(hours, "UTC", friday.replace(hour=8) + timedelta(days=1))
    assert not in_business_hours(hours, "UTC", friday.replace(hour=7))  # Thursday's night


def test_business_hours_edges_in_the_tenant_time_zone():
    hours = BusinessHours()  # mon-fri 08:00-18:00
    london = "Europe/London"
    monday = datetime(2026, 7, 6, tzinfo=UTC)  # BST: London is UTC+1
    assert not in_business_hours(hours, london, monday.replace(hour=6, minute=59))
    assert in_business_hours(hours, london, monday.replace(hour=7))
    assert in_business_hours(hours, london, monday.replace(hour=16, minute=59))
    assert not in_business_hours(hours, london, monday.replace(hour=17))



def test_business_hours_layers_and_silences_read_as_one_window_type():
    overnight = Window(frozenset({4}), time(18), time(8))
    assert BusinessHours(days="fri", start="18:00", end="08:00").window == overnight
    assert LayerHours(days="fri", start="18:00", end="08:00").window == overnight
    assert parse_every("FRI 18:00-08:00") == overnight
    assert BusinessHours().window == Window(frozenset(range(5)), time(8), time(18))
    assert LayerHours().window == Window(frozenset(range(7)), time(0), time(0))


# --- cross references: all reported, each with its place ----------------------------------


def test_unknown_tenant_references_are_all_named():
    found = problems(person(0, tenants=["acme", "initech", "hooli"]))
    assert found == [
        "people[0].tenants[1]: unknown tenant 'initech'",
        "people[0].tenants[2]: unknown tenant 'hooli'",
    ]


def test_duplicates_are_all_named():
    def change(data):
        data["tenants"][1].update(id="acme", code="ACME")
        data["people"].append({**data["people"][0], "email": "SAM@acme.example"})
        data["people"][1]["tenants"] = ["acme", "globex", "acme"]
        data["remediations"].append(data["remediations"][0])

    assert problems(change) == [
        "tenants[1].id: 'acme' appears twice",
        "tenants[1].code: 'ACME' appears twice",
        "people[2].email: 'sam@acme.example' appears twice",
        "remediations[1].id: 'restart-service' appears twice",
        "people[1].tenants[2]: 'acme' appears twice",
        "people[1].tenants[1]: unknown tenant 'globex'",
    ]


def test_one_chat_identity_names_one_person():
    slack = {"team": "T1", "user": "U1"}
    teams = {"aad_object_id": "aad-1"}

    def change(data):
        data["people"][0].update(slack=slack, teams=teams)
        data["people"][1].update(slack=slack, teams=teams)

    assert problems(change) == [
        "people[1].slack: 'T1/U1' appears twice",
        "people[1].teams.aad_object_id: 'aad-1' appears twice",
    ]
    # The same Slack user id in another workspace is another person.
    assert (
        problems(
            lambda d: (
                d["people"][0].update(slack=slack),
                d["people"][1].update(slack={"team": "T2", "user": "U1"}),
            )
        )
        == []
    )


def test_routing_to_an_unknown_channel_names_the_nested_place():
    rules = [{"channels": ["C1"]}, {"channels": ["C1", "C9", "C8"]}]
    assert problems(tenant(routing=rules)) == [
        "tenants[0].routing[1].channels[1]: 'C9' is not a channel of tenant acme",
        "tenants[0].routing[1].channels[2]: 'C8' is not a channel of tenant acme",
    ]
