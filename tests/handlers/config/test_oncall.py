"""On-call, escalation, reminder and digest settings: bad ones are named by their place."""

import pytest
import yaml

from bot.config import ConfigError, load
from tests.conftest import DATA


def _with_acme(tmp_path, **changes):
    raw = yaml.safe_load((DATA / "config.yaml").read_text())
    raw["tenants"][0].update(changes)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def _problems(tmp_path, **changes) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(_with_acme(tmp_path, **changes))
    return caught.value.problems


LAYER = {"name": "internal", "members": ["sam@acme.example"],
         "rotation": {"every": "1w", "handoff": "mon 09:00", "start": "2026-01-05"}}


def test_the_test_configuration_is_realistic(cfg):
    acme = cfg.tenant("acme")
    assert [s.name for s in acme.schedules] == ["internal", "partner"]
    assert acme.schedules[0].only.days == "mon-fri"
    assert [s.notify for s in acme.escalation[0].steps] == [
        "on-call", "channel", "raj@partner.example"]
    assert acme.digest.at == "08:30" and acme.ack_sla.critical == "15m"


def test_unknown_people_layers_and_channels(tmp_path):
    problems = _problems(
        tmp_path,
        schedules=[{**LAYER, "members": ["sam@acme.example", "gina@globex.example"]}, LAYER],
        escalation=[{"for": ["critical"], "steps": [
            {"after": "5m", "notify": "on-call:nights"},
            {"after": "10m", "notify": "nobody@acme.example"}]}],
        digest={"at": "08:30", "channels": ["C0NOPE"]},
    )
    assert problems == [
        "tenants[0].schedules[0].members[1]: 'gina@globex.example' is not a configured person "
        "of tenant acme",
        "tenants[0].schedules[1].name: 'internal' appears twice",
        "tenants[0].escalation[0].steps[0].notify: no schedule layer named 'nights'",
        "tenants[0].escalation[0].steps[1].notify: 'nobody@acme.example' is not a configured "
        "person of tenant acme",
        "tenants[0].digest.channels[0]: 'C0NOPE' is not a channel of tenant acme",
    ]


def test_malformed_values(tmp_path):
    problems = _problems(
        tmp_path,
        schedules=[{**LAYER, "rotation": {"every": "weekly", "handoff": "monday 9",
                                          "start": "2026-01-05"},
                    "only": {"days": "weekdays", "start": "8am", "end": "18:00"},
                    "timezone": "Mars/Olympus"}],
        escalation=[{"steps": [{"after": "15m", "notify": "on-call"},
                               {"after": "5m", "notify": "channel"}]}],
        approval_reminders={"remind_after": "4h", "expire_after": "30m"},
        digest={"at": "8:30"},
    )
    assert problems == [
        "tenants[0].schedules[0].rotation.every: 'weekly' is not a duration; write it like "
        "15m, 2h, 1d or 1h30m",
        "tenants[0].schedules[0].rotation.handoff: 'monday 9' is not a handoff; write it like "
        "18:00 or mon 09:00",
        "tenants[0].schedules[0].timezone: unknown time zone 'Mars/Olympus'",
        "tenants[0].schedules[0].only.days: 'weekdays' in 'weekdays' is not a day; use mon..sun, "
        "e.g. mon-fri or sat,sun",
        "tenants[0].schedules[0].only.start: '8am' is not a time of day; write it like 08:00 or "
        "18:30",
        "tenants[0].escalation[0].steps[1].after: 5m must be later than the step before it "
        "(15m); `after` counts from the round's start",
        "tenants[0].approval_reminders: expire_after (30m) must be longer than remind_after (4h)",
        "tenants[0].digest.at: '8:30' is not a time of day; write it like 08:00 or 18:30",
    ]


def test_a_rotation_needs_its_start_date(tmp_path):
    layer = {**LAYER, "rotation": {"every": "1d", "handoff": "18:00"}}
    assert _problems(tmp_path, schedules=[layer]) == [
        "tenants[0].schedules[0].rotation.start: is required"]
