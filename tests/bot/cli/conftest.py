"""The `tandem` command line, driven for real against a SQLite file: the `cli` fixture and
helpers. Alerts are created through intake (and some commands through the command API
with a chosen time) before the CLI is invoked on the same database file."""

import asyncio
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.config import load
from handlers.commands import Command, Identity, Outcome
from handlers.config.sync import sync
from handlers.enums import Severity
from handlers.lifecycle.dispatch import execute
from storage.db import connect
from tests.conftest import DATA, new_alert

CONFIG = DATA / "config.yaml"
LEE, DANA, GINA = "lee@acme.example", "dana@partner.example", "gina@globex.example"
TANDEM = Path(sys.executable).with_name("tandem")


def _file(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


@pytest.fixture
def cli(sqlite_url):
    """Invoke `tandem ...` in-process with this test's database and the test config."""
    runner = CliRunner()
    env = {"TANDEM_DATABASE_URL": sqlite_url, "TANDEM_CONFIG": str(CONFIG)}

    def invoke(*args: str, config: Path | None = None):
        chosen = env | ({"TANDEM_CONFIG": str(config)} if config else {})
        result = runner.invoke(app, list(args), env=chosen)
        # Known failures end in a clean exit, never in an exception or a traceback.
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        assert "Traceback" not in result.output
        return result

    invoke.url = sqlite_url
    return invoke


def _seed(url: str, *steps) -> list[str]:
    """Create alerts and apply commands directly, then close the database again.

    Each step is ("alert", tenant, severity[, title]) or (verb, alert index, email, at,
    args).
    """

    async def main() -> list[str]:
        cfg = load(CONFIG)
        db = connect(url)
        try:
            async with db.unit() as uow:
                await sync(uow, cfg)
            made: list[str] = []
            for step in steps:
                if step[0] == "alert":
                    title = {"title": step[3]} if len(step) > 3 else {}
                    made.append(await new_alert(db, cfg, step[1], severity=step[2], **title))
                    continue
                verb, index, email, at, args = step
                done = await execute(
                    db, cfg, Command(verb, made[index], Identity(email=email), args), now=at
                )
                assert done.outcome is Outcome.DONE, done.message
            return made
        finally:
            await db.dispose()

    return asyncio.run(main())


def _two_alerts(url: str) -> list[str]:
    return _seed(url, ("alert", "acme", Severity.HIGH), ("alert", "globex", Severity.LOW))


def _invoke_failing_connect(args: list[str], env: dict):
    """Invoke a command whose database cannot be opened.

    aiosqlite stops its worker thread after a failed connect without waiting; when the
    command's event loop has already closed, that thread reports "Event loop is closed".
    Wait for the threads this command started, so the harmless report stays here.
    """
    before = set(threading.enumerate())
    result = CliRunner().invoke(app, args, env=env)
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=5)
    return result


def _error(result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr == f"error: {message}\n"
    assert result.stdout == ""


AIOSQLITE_RACE = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
