"""A small valid configuration and helpers that change one thing and list the problems."""

import copy
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import ConfigError, load, problems_of
from handlers.config.schema import TandemConfig

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
    "remediations": [{"id": "restart-service", "title": "Restart", "action": "webhook",
                      "url_env": "TANDEM_RUNBOOK_URL", "secret_env": "TANDEM_RUNBOOK_SECRET"}],
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
