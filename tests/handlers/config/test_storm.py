"""The per-tenant storm setting: on by default, `off` or threshold 0 turns it off,
and a bad value is refused with its place."""

import pytest

from bot.config import load
from handlers.config.schema import TandemConfig
from tests.handlers.config.samples import load_text

TENANT = "tenants:\n  - {id: acme, name: A, code: ACME, storm: %s}\n"


def test_storms_are_on_by_default():
    cfg = TandemConfig.model_validate({"tenants": [{"id": "acme", "name": "A", "code": "ACME"}]})
    storm = cfg.known_tenant("acme").storm
    assert storm.enabled and (storm.threshold, storm.window) == (10, "2m")


@pytest.mark.parametrize("value", ["off", "{threshold: 0}"])
def test_off_or_a_zero_threshold_turns_storms_off(tmp_path, value):
    path = tmp_path / "c.yaml"
    path.write_text(TENANT % value)
    assert not load(path).known_tenant("acme").storm.enabled


@pytest.mark.parametrize(("value", "problem"), [
    ("{threshold: -1}", "tenants[0].storm.threshold: Input should be greater than or equal to 0"),
    ("{window: soon}", "tenants[0].storm.window: 'soon' is not a duration; write it like 15m, "
                       "2h, 1d or 1h30m"),
    ("{limit: 3}", "tenants[0].storm.limit: is not a known setting"),
])
def test_a_bad_storm_setting_names_its_place(tmp_path, value, problem):
    assert load_text(tmp_path, TENANT % value) == [problem]
