"""Each configuration problem on one line, named by its place in the file."""

import pytest

from tests.handlers.config.samples import (
    person,
    problems,
    tenant,
)

# --- one problem, one line, named by place ------------------------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (person(1, side="vendor"), "people[1].side: must be internal or partner"),
        (
            person(0, roles=["responder", "boss"]),
            "people[0].roles[1]: must be responder, approver or admin",
        ),
        (
            person(0, email="not-an-email"),
            "people[0].email: must be an email address such as sam@acme.example",
        ),
        (person(0, name=""), "people[0].name: must not be empty"),
        (person(0, tenants=[]), "people[0].tenants: must not be empty"),
        (person(0, slack={"team": "T1"}), "people[0].slack.user: is required"),
        (person(0, slack="U0SAM"), "people[0].slack: must be a mapping of settings"),
        (person(0, pager="555-1234"), "people[0].pager: is not a known setting"),
        (
            tenant(id="Acme"),
            "tenants[0].id: must be lowercase letters, digits and dashes (at most 64)",
        ),
        (
            tenant(code="acme"),
            "tenants[0].code: must be 2 to 16 capital letters or digits, starting with a letter",
        ),
        (
            tenant(code="A"),
            "tenants[0].code: must be 2 to 16 capital letters or digits, starting with a letter",
        ),
        (
            tenant(channels=[{"platform": "irc", "channel": "#ops"}]),
            "tenants[0].channels[0].platform: must be slack or teams",
        ),
        (
            tenant(channels=[{"platform": "slack", "channel": "C1", "team": 5}]),
            "tenants[0].channels[0].team: must be text",
        ),
        (
            tenant(integrations=[{"id": "x", "kind": "nagios"}]),
            "tenants[0].integrations[0].kind: must be native, alertmanager, grafana, events-v2, "
            "azure-monitor or graph",
        ),
        (
            tenant(integrations=[{"id": "x", "kind": "native", "token": "s3cret"}]),
            "tenants[0].integrations[0].token: is not a known setting",
        ),
        (
            tenant(routing=[{"match": {"severity": ["urgent"]}}]),
            "tenants[0].routing[0].match.severity[0]: must be critical, high, medium, low or info",
        ),
        (
            tenant(routing=[{"match": {"labels": {"team": 5}}}]),
            "tenants[0].routing[0].match.labels.team: must be text",
        ),
        (
            tenant(routing=[{"suppress": "maybe"}]),
            "tenants[0].routing[0].suppress: must be true or false",
        ),
        (
            tenant(flap_window="soon"),
            "tenants[0].flap_window: 'soon' is not a duration; write it like 15m, 2h, 1d or 1h30m",
        ),
        (tenant(flap_window="0m"), "tenants[0].flap_window: a duration must be longer than zero"),
        (tenant(colour="blue"), "tenants[0].colour: is not a known setting"),
        (
            lambda d: d.update(approval={"proposer_may_approve": True}),
            "approval.proposer_may_approve: must be false",
        ),
        (
            lambda d: d.update(approval={"internal_approver_for": ["urgent"]}),
            "approval.internal_approver_for[0]: must be critical, high, medium, low or info",
        ),
        (
            lambda d: d["remediations"][0].update(id="Restart_Service"),
            "remediations[0].id: must be lowercase letters, digits and dashes",
        ),
        (lambda d: d.update(tenants=[]), "tenants: must not be empty"),
        (lambda d: d.pop("tenants"), "tenants: is required"),
        (
            lambda d: d.update(people=["sam@acme.example"]),
            "people[0]: must be a mapping of settings",
        ),
        (lambda d: d.update(extras={}), "extras: is not a known setting"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_field_problem_is_named_by_its_place(change, expected):
    assert problems(change) == [expected]


@pytest.mark.parametrize(
    ("side", "expected"),
    [
        ("vendor", ["tenants[0].routing[0].side: must be internal or partner"]),
        (7, ["tenants[0].routing[0].side: must be internal or partner"]),
        ({"in_hours": "internal"}, ["tenants[0].routing[0].side.out_of_hours: is required"]),
        (
            {"in_hours": "x", "out_of_hours": "partner"},
            ["tenants[0].routing[0].side.in_hours: must be internal or partner"],
        ),
        (
            {"in_hours": "internal", "out_of_hours": "partner", "weekend": "partner"},
            ["tenants[0].routing[0].side.weekend: is not a known setting"],
        ),
    ],
)
def test_side_problem_names_the_form_that_was_written(side, expected):
    """`side` is a side or an {in_hours, out_of_hours} mapping: report only the form used."""
    assert problems(tenant(routing=[{"side": side}])) == expected


def test_every_field_problem_is_reported_at_once():
    found = problems(
        lambda d: (
            d["people"][0].update(side="x", roles=["boss"]),
            d["tenants"][1].update(timezone="Mars/Olympus", code="g"),
        )
    )
    assert found == [
        "tenants[1].code: must be 2 to 16 capital letters or digits, starting with a letter",
        "tenants[1].timezone: unknown time zone 'Mars/Olympus' "
        "(use an IANA name such as Europe/London)",
        "people[0].side: must be internal or partner",
        "people[0].roles[0]: must be responder, approver or admin",
    ]
