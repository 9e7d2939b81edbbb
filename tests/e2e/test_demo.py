"""`tandem demo` as a newcomer runs it: one command, no chat tokens and no database
named; it serves the seeded example at the URL it prints, and on Ctrl-C stops and
removes its temporary folder."""

import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.e2e.test_readme import ROOT
from tests.e2e.test_stop import _free_port, _wait_healthy


def test_demo_serves_the_story_and_cleans_up(tmp_path):
    port = _free_port()
    log = tmp_path / "demo.log"
    real = tmp_path / "real.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TANDEM_", "SLACK_"))}
    env["TANDEM_DATABASE_URL"] = f"sqlite:///{real}"  # a demo never writes a real database
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("tandem")), "demo", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
        try:
            _wait_healthy(f"http://127.0.0.1:{port}", process, log)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/auth/as", timeout=5) as answer:
                picker = answer.read().decode()
            assert "Sam Okafor" in picker and "Dana Reyes" in picker
        finally:
            process.send_signal(signal.SIGINT)
            code = process.wait(timeout=20)
    said = log.read_text()
    assert code == 0, said
    assert f"open http://127.0.0.1:{port}/" in said
    assert "ACME-2: the 2 am risky sign-in" in said
    folder = Path(re.search(r"Data: (\S+) \(removed", said).group(1))
    assert folder.name.startswith("tandem-demo-") and not folder.exists()
    assert not real.exists()
    assert "Traceback" not in said


def test_readme_starts_with_the_demo():
    first = re.search(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text()).group(1)
    assert first.endswith(".venv/bin/tandem demo")
