"""The running program reaches the domain through its capability packages' public
surfaces (each `handlers/<package>/__init__.py`) or its vocabulary modules, never a
module inside a package: what a package keeps to itself can change without touching
bot/. The operator reader is the one exception, kept to the command line by an
import-linter contract."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXCEPTIONS = {"handlers.people.operator"}


def _inner_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        found += [n for n in names
                  if n.startswith("handlers.") and n.count(".") >= 2 and n not in EXCEPTIONS]
    return found


def _surface(package: Path) -> set[str]:
    tree = ast.parse((package / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__":
            return {element.value for element in node.value.elts}
    return set()


def test_bot_imports_handlers_packages_by_their_surface_only():
    offending = {str(p.relative_to(ROOT)): found for p in sorted((ROOT / "bot").rglob("*.py"))
                 if (found := _inner_imports(p))}
    assert offending == {}


def test_every_capability_package_declares_its_surface():
    packages = [p for p in (ROOT / "handlers").iterdir() if (p / "__init__.py").exists()]
    assert len(packages) >= 10
    assert {p.name: sorted(_surface(p)) for p in packages if not _surface(p)} == {}


def test_a_module_inside_a_package_would_be_caught(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from handlers.silences.changes import add\nfrom handlers import silences\n")
    assert _inner_imports(module) == ["handlers.silences.changes"]
