"""cards/ stays a pure renderer: no chat SDKs, no I/O layers, no clock."""

import ast
from pathlib import Path

from cards import actions

# via a module, not the package: without tests/__init__.py, pytest may bind the name
# "cards" to tests/cards
CARDS = Path(actions.__file__).parent
FORBIDDEN = {"slack_sdk", "slack_bolt", "botbuilder", "aiohttp", "msgraph", "storage", "bot"}


def modules():
    return sorted(CARDS.glob("*.py"))


def test_no_forbidden_imports_or_clock_calls():
    for path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                names = []
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"
            if isinstance(node, ast.Attribute):
                assert node.attr not in {"now", "utcnow", "today"}, f"{path.name} reads the clock"


def test_init_is_empty_and_modules_are_small():
    assert (CARDS / "__init__.py").read_text() == ""
    for path in modules():
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 220, path.name
