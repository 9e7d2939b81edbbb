"""The configuration schema's edge cases, and how each problem is named by its place."""

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import EXAMPLE, ConfigError, Settings, load, problems_of
from handlers.config import BusinessHours, SideByHours, TandemConfig
from handlers.enums import Role, Severity, Side
from handlers.routing import in_business_hours

BASE = {
    "tenants": [
        {
            "id": "acme",
            "name": "Acme Ltd",
            "code": "ACME",
            "channels": [{"platform": "slack", "team": "T1", "channel": "C1"}],
        },
        {"id": "globex", "name": "Globex", "code": "GLOBEX"},
    ],
    "people": [
        {"email": "sam@acme.example", "name": "Sam", "side": "internal", "tenants": ["acme"]},
        {
            "email": "dana@partner.example",
            "name": "Dana",
            "side": "partner",
            "tenants": ["acme", "globex"],
        },
    ],
    "remediations": [{"id": "restart-service", "title": "Restart", "action": "webhook"}],
}


def problems(change=None, **top) -> list[str]:
    """Validate BASE after `change(data)` (or with top-level keys replaced)."""
    data = copy.deepcopy(BASE) | top
    if change:
        change(data)
    try:
        TandemConfig.model_validate(data)
    except ValidationError as error:
        return problems_of(error)
    return []


def load_text(tmp_path: Path, text: str | bytes) -> list[str]:
    path = tmp_path / "tandem.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert caught.value.path == path
    return caught.value.problems


def tenant(**fields):
    def change(data):
        data["tenants"][0].update(fields)

    return change


def person(index=0, **fields):
    def change(data):
        data["people"][index].update(fields)

    return change


# --- good files -------------------------------------------------------------------------


def test_base_is_valid_and_defaults_apply():
    assert problems() == []
    cfg = TandemConfig.model_validate(BASE)
    acme = cfg.tenant("acme")
    assert acme.timezone == "UTC" and acme.flap_window == "5m"
    assert acme.business_hours == BusinessHours(days="mon-fri", start="08:00", end="18:00")
    assert cfg.people[0].roles == [Role.RESPONDER]
    assert cfg.approval.internal_approver_for == [Severity.CRITICAL, Severity.HIGH]
    assert cfg.approval.proposer_may_approve is False
    assert cfg.tenant("nowhere") is None
    assert cfg.remediation("restart-service").action == "webhook"
    assert cfg.remediation("format-disk") is None


def test_shipped_example_loads():
    cfg = load(EXAMPLE)
    assert [t.id for t in cfg.tenants] == ["acme", "globex"]
    assert [t.code for t in cfg.tenants] == ["ACME", "GLOBEX"]
    dana = next(p for p in cfg.people if p.email == "dana@partner.example")
    assert dana.side is Side.PARTNER and dana.tenants == ["acme", "globex"]
    assert (dana.slack.team, dana.slack.user) == ("T0PARTNER", "U0DANA")
    assert {r.id for r in cfg.remediations} == {"revoke-sessions", "restart-service", "block-ip"}


def test_email_is_stored_lowercase_so_lookups_match():
    cfg = TandemConfig.model_validate(
        {**BASE, "people": [{**BASE["people"][0], "email": "Sam.Okafor@ACME.example"}]}
    )
    assert cfg.people[0].email == "sam.okafor@acme.example"


def test_configuration_is_immutable_once_loaded():
    cfg = TandemConfig.model_validate(BASE)
    with pytest.raises(ValidationError):
        cfg.tenants[0].name = "Changed"


def test_side_by_hours_is_parsed_into_its_model():
    rule = {
        "match": {"severity": ["critical"]},
        "side": {"in_hours": "internal", "out_of_hours": "partner"},
    }
    cfg = TandemConfig.model_validate(
        {
            **BASE,
            "tenants": [
                {**BASE["tenants"][0], "routing": [rule, {"side": "partner"}]},
                BASE["tenants"][1],
            ],
        }
    )
    first, second = cfg.tenants[0].routing
    assert first.side == SideByHours(in_hours=Side.INTERNAL, out_of_hours=Side.PARTNER)
    assert second.side is Side.PARTNER


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


# --- the file itself ------------------------------------------------------------------------


def test_yaml_syntax_error_names_the_line(tmp_path):
    text = "tenants:\n  - id: acme\n    name: Acme\n    code: [ACME\npeople: []\n"
    [problem] = load_text(tmp_path, text)
    assert problem.startswith("line 5, column 7: not valid YAML (")


def test_tab_indentation_names_the_line(tmp_path):
    [problem] = load_text(tmp_path, "tenants:\n\t- id: acme\n")
    assert problem.startswith("line 2, column 1: not valid YAML (")


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- acme\n- globex\n", "acme\n"])
def test_top_level_must_be_a_mapping(tmp_path, text):
    assert load_text(tmp_path, text) == ["(top level): must be a mapping with a tenants section"]


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path / "nope.yaml")
    assert caught.value.problems == ["cannot read the file: No such file or directory"]


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path)
    assert caught.value.problems == ["cannot read the file: Is a directory"]


def test_file_that_is_not_utf8(tmp_path):
    text = "tenants:\n  - {id: acme, name: Caf\xe9, code: ACME}\n".encode("latin-1")
    assert load_text(tmp_path, text) == ["line 2: not UTF-8 text; save the file as UTF-8"]


def test_schema_problems_come_through_load(tmp_path):
    text = "tenants:\n  - {id: acme, name: A, code: ACME}\npeople:\n  - {email: x@y.z}\n"
    assert load_text(tmp_path, text) == [
        "people[0].name: is required",
        "people[0].side: is required",
        "people[0].tenants: is required",
    ]


def test_error_text_lists_every_problem(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("tenants: []\nfoo: 1\n")
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert str(caught.value) == (f"{path}: tenants: must not be empty; foo: is not a known setting")


# --- settings come from the environment ------------------------------------------------------


def test_settings_defaults_and_environment(monkeypatch):
    for name in ("TANDEM_DATABASE_URL", "TANDEM_CONFIG", "TANDEM_HOST", "TANDEM_PORT"):
        monkeypatch.delenv(name, raising=False)
    default = Settings()
    assert default.database_url == "sqlite:///tandem.db"
    assert default.config == EXAMPLE
    assert (default.host, default.port) == ("127.0.0.1", 8080)
    monkeypatch.setenv("TANDEM_DATABASE_URL", "postgresql://db.internal/tandem")
    monkeypatch.setenv("TANDEM_CONFIG", "/etc/tandem.yaml")
    monkeypatch.setenv("TANDEM_PORT", "9090")
    chosen = Settings()
    assert chosen.database_url == "postgresql://db.internal/tandem"
    assert chosen.config == Path("/etc/tandem.yaml")
    assert chosen.port == 9090
