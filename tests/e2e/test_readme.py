"""README's walkthrough runs as written: its `sh walkthrough` blocks are executed line by
line by bash in a fresh directory, with the installed `tandem` on PATH, against the
`tandem serve` the block starts itself (on a free port through TANDEM_PORT)."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```sh walkthrough\n(.*?)^```$", re.MULTILINE | re.DOTALL)
MARK = "@@rc "
# A script that ends early stops the server it started, which would otherwise hold its
# output open (and a port) until the test's timeout.
STOP_ON_EXIT = "trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\n"
# What each step must print: a command's start, and a line of its standard output.
SAYS = {
    "curl": '{"status": "ok"}',
    "tandem alert send": "ACME-1 created",
    "tandem alert list": "ACME-1 · Disk 95% on db-1 [high] — Open, Unclaimed",
    "tandem alert resolve": "Dana Reyes (partner) resolved ACME-1.",
    "tandem alert history": "resolve  remediation_approved -> resolved  note=freed space",
    "tandem remediation done": "Dana Reyes (partner) carried out by hand the fix for ACME-1.",
    "tandem remediation status": "Block the source IP at the firewall",
    "tandem audit verify": "audit log intact: 7 events verified",
}


def walkthrough(readme: str) -> list[str]:
    """The command lines of the README's walkthrough blocks, in order."""
    lines = [line.strip() for block in BLOCK.findall(readme) for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def _refused(command: str) -> bool:
    """README marks a step that must fail with a `# refused` comment."""
    return "# refused" in command


def _script(commands: list[str]) -> str:
    """Each command followed by a marker line carrying its exit status on stdout; the
    script ends at the first step whose status is not the one README promises."""
    check = {False: "[ $s -eq 0 ]", True: "[ $s -ne 0 ]"}
    return STOP_ON_EXIT + "".join(
        f"{c}\ns=$?; printf '\\n{MARK}%s\\n' $s; {check[_refused(c)]} || exit 1\n"
        for c in commands)


def _steps(stdout: str) -> list[tuple[str, int]]:
    """(output, exit status) of each command, as the markers divide stdout."""
    parts = re.split(rf"\n{MARK}(\d+)\n", stdout)
    return [(parts[i], int(parts[i + 1])) for i in range(0, len(parts) - 1, 2)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop_group(group: int) -> None:
    """Stop whatever the script left running (its background server), even after a
    failure: SIGTERM first, SIGKILL if it is still there after 10 s."""
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


def test_the_walkthrough_runs_as_written(tmp_path):
    commands = walkthrough((ROOT / "README.md").read_text())
    assert any(c.startswith("tandem serve") for c in commands), commands
    for start in SAYS:
        assert any(c.startswith(start) for c in commands), f"the walkthrough lost {start!r}"
    env = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "HOME": str(tmp_path), "PYTHONPATH": str(ROOT), "TANDEM_PORT": str(_free_port())}
    bash = subprocess.Popen(["bash", "-c", _script(commands)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        stdout, stderr = bash.communicate(timeout=60)
    finally:
        _stop_group(bash.pid)
    steps = _steps(stdout)
    for command, (output, status) in zip(commands, steps, strict=False):
        assert (status != 0) == _refused(command), \
            f"{command!r} exited {status}:\n{output}\n{stderr}"
        said = next((text for start, text in SAYS.items() if command.startswith(start)), "")
        assert said in output, f"{command!r} did not say {said!r}:\n{output}"
    assert len(steps) == len(commands), f"stopped early:\n{stdout}\n{stderr}"
    assert "needs an internal approver" in stderr
    assert "Traceback" not in stderr
