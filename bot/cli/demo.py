"""`tandem demo`: the example tenants with a story already told, in a throwaway SQLite
database, served with the console's "sign in as" picker and no chat tokens."""

import asyncio
import os
import secrets
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.support import echo, fail, one_line_failures, settings
from bot.config import EXAMPLE, Settings
from bot.demo.story import Seeded, StoryFailed, seed

# The example configuration's intake tokens: each demo gets fresh ones unless set.
TOKENS = ("TANDEM_ACME_API_TOKEN", "TANDEM_ACME_PROM_TOKEN", "TANDEM_ACME_ROUTING_KEY",
          "TANDEM_ACME_GRAFANA_TOKEN", "TANDEM_ACME_AZURE_TOKEN")


def _environment(folder: Path) -> None:
    """The demo's settings, for this process and the server it runs: what the caller set
    for the database or configuration is ignored, so a demo never writes a real one."""
    os.environ["TANDEM_DATABASE_URL"] = f"sqlite:///{folder / 'tandem.db'}"
    os.environ["TANDEM_CONFIG"] = str(EXAMPLE)
    os.environ["TANDEM_DEMO"] = "true"
    for name in TOKENS:
        os.environ.setdefault(name, f"demo-{secrets.token_urlsafe(12)}")


async def _seed(found: Settings) -> Seeded:
    from bot.runtime import open_runtime

    runtime = await open_runtime(found)
    try:
        return await seed(runtime.db, runtime.cfg, datetime.now(UTC))
    finally:
        await runtime.close()


def _told(found: Settings, story: Seeded, folder: Path) -> str:
    url = f"http://{found.host}:{found.port}/"
    return "\n".join([
        f"Tandem demo: open {url} and pick who to sign in as.",
        f"  {story.sign_in}: the 2 am risky sign-in; Dana (partner) proposed revoking jo's "
        "sessions, waiting for internal IT's approval (sign in as Sam Okafor).",
        f"  {story.storm[0]}..{story.storm[-1]}: a disk-space storm from Prometheus.",
        f"  {story.incident}: yesterday's brute-force incident, resolved, with its timeline.",
        f"  {story.globex}: Globex's alert, which nobody at Acme sees.",
        f"Data: {folder} (removed when the demo stops). Native intake token for acme: "
        f"{os.environ['TANDEM_ACME_API_TOKEN']}",
        "Ctrl-C stops it.",
    ])


def demo(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
) -> None:
    """Run Tandem with the example tenants and a seeded story: no chat tokens, SQLite in
    a temporary folder, the console's "sign in as" picker."""
    from bot.server import CannotListen
    from bot.server import serve as run_server

    folder = Path(tempfile.mkdtemp(prefix="tandem-demo-"))
    try:
        _environment(folder)
        found = settings(host=host, port=port)
        with one_line_failures():
            try:
                story = asyncio.run(_seed(found))
            except StoryFailed as error:
                fail(f"the demo story could not be told: {error}")
            echo(_told(found, story, folder))
            try:
                run_server(found)
            except CannotListen as error:
                fail(str(error))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
