"""The configuration file and settings: good files, the file itself, the environment."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import EXAMPLE, ConfigError, Settings, load
from handlers.config.hours import BusinessHours
from handlers.config.schema import SideByHours, TandemConfig
from handlers.enums import Role, Severity, Side
from tests.handlers.config.samples import (
    BASE,
    load_text,
    problems,
)

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
    dana = cfg.person("dana@partner.example")
    assert dana.side is Side.PARTNER and dana.tenants == ["acme", "globex"]
    assert (dana.slack.team, dana.slack.user) == ("T0PARTNER", "U0DANA")
    assert {r.id for r in cfg.remediations} == {"revoke-sessions", "disable-user", "enable-user",
                                            "isolate-device", "restart-service", "block-ip"}


def test_email_is_stored_lowercase_so_lookups_match():
    cfg = TandemConfig.model_validate(
        {**BASE, "people": [{**BASE["people"][0], "email": "Sam.Okafor@ACME.example"}]}
    )
    assert cfg.people[0].email == "sam.okafor@acme.example"


def test_a_copy_with_other_people_finds_its_own_people():
    cfg = TandemConfig.model_validate(BASE)
    sam = cfg.person(BASE["people"][0]["email"])
    lee = sam.model_copy(update={"email": "lee@acme.example", "name": "Lee Chen"})
    copied = cfg.model_copy(update={"people": [lee]})
    assert copied.person("lee@acme.example") is lee
    assert copied.person(sam.email) is None
    assert cfg.person(sam.email) is sam


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


def test_an_empty_variable_is_an_unset_one(monkeypatch):
    """compose's `${SLACK_SIGNING_SECRET:-}` sets "" for a secret not given: that must
    leave Slack and Teams off, never on with an empty secret anyone can sign with."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN",
                 "MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD", "TANDEM_PORT"):
        monkeypatch.setenv(name, "")
    settings = Settings()
    assert settings.slack_bot_token is None and settings.slack_signing_secret is None
    assert settings.slack_app_token is None
    assert settings.microsoft_app_id is None and settings.microsoft_app_password is None
    assert settings.port == 8080
