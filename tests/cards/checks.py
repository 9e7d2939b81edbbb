"""Shared checks for the card tests: golden files, Block Kit and Adaptive Card validity."""

import json
import os
from functools import cache
from pathlib import Path

import adaptive_cards
import jsonschema
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("TANDEM_UPDATE_GOLDEN") == "1"
AC_SCHEMA = Path(adaptive_cards.__file__).parent / "schemas" / "schema-1.5.json"


def check_golden(name: str, data: dict) -> None:
    """Compare with tests/cards/golden/<name>.json; TANDEM_UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / f"{name}.json"
    if UPDATE:
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path.name}; run with TANDEM_UPDATE_GOLDEN=1"
    assert data == json.loads(path.read_text(encoding="utf-8"))


def walk(node):
    """Every dict inside a JSON-like tree."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def check_block_limits(blocks: list[dict]) -> None:
    assert 0 < len(blocks) <= 50
    for node in walk(blocks):
        if node.get("type") == "button":
            assert len(node["value"]) <= 2000
        if "action_id" in node:
            assert len(node["action_id"]) <= 255
        if node.get("type") in ("mrkdwn", "plain_text"):
            assert len(node["text"]) <= 3000


def check_slack_blocks(blocks: list[dict]) -> None:
    """slack_sdk knows every block and field, round-trips them, and finds no limit broken."""
    parsed = Block.parse_all(blocks)
    for block in parsed:
        block.validate_json()
    assert [b.to_dict() for b in parsed] == blocks
    check_block_limits(blocks)


def check_slack_modal(modal: dict) -> None:
    view = View(**modal)
    view.validate_json()
    assert view.to_dict() == modal
    check_slack_blocks(modal["blocks"])


@cache
def _ac_validator() -> jsonschema.Draft6Validator:
    schema = json.loads(AC_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft6Validator.check_schema(schema)
    return jsonschema.Draft6Validator(schema)


def ac_errors(card: dict) -> list[str]:
    """Short messages: the deepest failing path of each schema error."""
    errors = []
    for error in _ac_validator().iter_errors(card):
        deepest = max([error, *error.context], key=lambda e: len(e.absolute_path))
        path = "/".join(str(p) for p in deepest.absolute_path)
        errors.append(f"{path}: {deepest.message[:200]}")
    return errors


def check_adaptive_card(card: dict) -> None:
    """Valid against the official Adaptive Cards 1.5 schema, as Teams expects it."""
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert ac_errors(card) == []
