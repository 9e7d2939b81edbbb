"""`tandem serve` processes run as replicas on one database, for the end-to-end tests."""

import asyncio
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

TANDEM = Path(sys.executable).with_name("tandem")


class Replica:
    """One `tandem serve --port 0` process, its log in a file."""

    def __init__(self, env: dict, log: Path):
        self.log = log
        with log.open("w") as out:
            self.process = subprocess.Popen([str(TANDEM), "serve", "--port", "0"], env=env,
                                            stdout=out, stderr=subprocess.STDOUT)
        self.base = ""

    async def ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            if found := re.search(r"listening on (http://\S+)", self.log.read_text()):
                self.base = found.group(1)
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"tandem serve did not come up:\n{self.log.read_text()}")



def stop(replicas: list[Replica]) -> None:
    """SIGTERM to all at once, then wait for each (killed if it hangs)."""
    running = [r.process for r in replicas if r.process.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    for process in running:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
