"""Every benchmark under bench/ imports: the benches are run by hand, not by the suite,
so a name moved out of a module they import would otherwise surface only when someone
next measures. Each is imported in a fresh interpreter, as `python bench/x.py` would."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHES = sorted(p for p in (ROOT / "bench").glob("*.py") if p.name != "__init__.py")
LOAD = ("import importlib.util, sys; sys.argv = [sys.argv[1]];"
        "spec = importlib.util.spec_from_file_location('bench_under_test', sys.argv[0]);"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))")


@pytest.mark.parametrize("path", BENCHES, ids=lambda p: p.name)
def test_bench_imports(path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", LOAD, str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr.strip().splitlines()[-1:]
