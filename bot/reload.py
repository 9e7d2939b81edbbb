"""Live configuration reload across replicas of one database.

SIGHUP (bot/server.py) and `tandem config reload` read the configuration file anew and,
when it is valid and differs from the version in force, publish it as a new version
(bot/published.py); a bad file is refused with every problem named and nothing changes.
Every replica polls the latest version (a read of one primary-key entry) every
TANDEM_CONFIG_POLL_SECONDS and, when it changed, swaps in that version's document from
the database, not its own file, so replicas converge on one configuration even if
their files differ. A task of its own, not a scheduler job: every replica must follow,
whichever of them runs the fleet's jobs.
"""

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from bot import published
from bot.config import ConfigError, load_document
from bot.runtime import Runtime
from storage import migrate
from storage.db import Database

log = logging.getLogger("tandem.reload")


def replica_name() -> str:
    """Who published a version, when `tandem serve` did: host/pid."""
    return f"{socket.gethostname()}/{os.getpid()}"


async def publish_file(db: Database, path: Path, by: str) -> published.Published:
    """Publish the configuration file at `path`; a ConfigError lists its problems."""
    document, cfg = load_document(path)
    async with migrate.one_at_a_time(db):
        return await published.publish(db, cfg, document, by)


def _one_line(error: Exception) -> str:
    return f"{type(error).__name__}: {(str(error).splitlines() or [''])[0]}"


class Watcher:
    """Keeps one process on the configuration version in force."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self._unusable: int | None = None  # a version this release cannot run, said once

    async def check(self) -> None:
        """Swap in the latest version if this process does not run it yet."""
        latest = await published.latest_version(self.runtime.db)
        if latest is None or latest in (self.runtime.version, self._unusable):
            return
        try:
            found = await published.in_force(self.runtime.db)
        except ConfigError as error:
            self._unusable = latest
            self._refused(f"configuration version {latest}", error)
            return
        if found is not None and found[0] != self.runtime.version:
            await self.runtime.swap(*found)
            log.info("configuration version %d in force", found[0])

    def _refused(self, what: str, error: ConfigError) -> None:
        """Log a configuration that cannot be used, one line per problem."""
        log.error("%s refused (%d problem(s)); version %s stays in force",
                  what, len(error.problems), self.runtime.version)
        for problem in error.problems:
            log.error("configuration problem: %s", problem)

    async def run(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.check()
            except Exception as error:  # the database away: look again next time
                log.warning("configuration version check failed: %s", _one_line(error))

    async def reload(self) -> None:
        """SIGHUP: publish this process's file and run it; a bad file is logged, one
        line per problem, and the configuration in force stays."""
        path = self.runtime.settings.config
        try:
            done = await publish_file(self.runtime.db, path, replica_name())
        except ConfigError as error:
            self._refused(f"configuration {path}", error)
            return
        except Exception as error:
            log.error("configuration %s not published: %s", path, _one_line(error))
            return
        log.info("configuration %s: version %d %s", path, done.version,
                 "published" if done.new else "was already in force")
        await self.check()


WATCHER = web.AppKey("config_watcher", Watcher)


def attach(app: web.Application, runtime: Runtime) -> Watcher:
    """Follow the configuration version while the app runs."""
    watcher = app[WATCHER] = Watcher(runtime)

    async def lifetime(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(watcher.run(runtime.settings.config_poll_seconds))
        yield
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    app.cleanup_ctx.append(lifetime)
    return watcher
