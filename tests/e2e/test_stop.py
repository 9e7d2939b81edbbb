"""`tandem serve` stops gracefully on SIGTERM and SIGINT: with requests in flight, it
exits 0 within 10 s and every alert it answered 202 for is in the database."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.bot.intake.conftest import TOKENS
from tests.conftest import DATA

SENDERS = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"tandem serve did not come up:\n{log.read_text()}")


def _post(base: str, title: str) -> bool:
    body = json.dumps({"title": title, "severity": "low", "dedup_key": title}).encode()
    request = urllib.request.Request(
        f"{base}/v1/alerts", body, method="POST",
        headers={"Authorization": f"Bearer {TOKENS['TANDEM_TEST_ACME_TOKEN']}",
                 "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status == 202
    except (urllib.error.URLError, OSError):
        return False  # refused or cut off once the server stops: not accepted


class Senders:
    """Threads posting alerts without pause; records the titles answered 202."""

    def __init__(self, base: str):
        self.base, self.accepted, self.stop = base, [], threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(n,)) for n in range(SENDERS)]

    def _run(self, n: int) -> None:
        for i in range(100_000):
            if self.stop.is_set():
                return
            title = f"stop-{n}-{i}"
            if _post(self.base, title):
                with self._lock:
                    self.accepted.append(title)
            elif self.stop.wait(0.05):
                return

    def __enter__(self) -> "Senders":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(30)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_lets_requests_in_flight_finish_and_exits_0(tmp_path, sig):
    db, log, port = tmp_path / "stop.db", tmp_path / "serve.log", _free_port()
    env = {**os.environ, **TOKENS, "TANDEM_DATABASE_URL": f"sqlite:///{db}",
           "TANDEM_CONFIG": str(DATA / "config.yaml")}
    exe = Path(sys.executable).with_name("tandem")
    with log.open("w") as out:
        process = subprocess.Popen([str(exe), "serve", "--port", str(port)], env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process, log)
        with Senders(base) as senders:
            while len(senders.accepted) < 40:
                time.sleep(0.02)
            process.send_signal(sig)
            signalled = time.monotonic()
            code = process.wait(timeout=15)
            took = time.monotonic() - signalled
    finally:
        if process.poll() is None:
            process.kill()
    text = log.read_text()
    assert code == 0, text
    assert took < 10, text
    assert f"tandem stopping ({sig.name})" in text and "tandem stopped" in text, text
    assert "Traceback" not in text, text
    with sqlite3.connect(db) as conn:
        stored = {title for (title,) in conn.execute("SELECT title FROM alert")}
    assert len(senders.accepted) >= 40
    assert set(senders.accepted) <= stored
