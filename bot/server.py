"""`tandem serve`: open the runtime and run the aiohttp app until interrupted."""

import asyncio
import gc
import logging

from aiohttp import web

from bot.app import build_app
from bot.config import Settings
from bot.runtime import open_runtime

log = logging.getLogger("tandem")


class CannotListen(Exception):
    """The address is taken or not ours: said in one line, unlike a database failure."""


async def _run(settings: Settings) -> None:
    runtime = await open_runtime(settings)
    runner = web.AppRunner(build_app(runtime), access_log=None)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, settings.host, settings.port).start()
        except OSError as error:
            raise CannotListen(f"cannot listen on http://{settings.host}:{settings.port}: "
                               f"{error.strerror or error}") from None
        # The SDKs leave a few hundred thousand long-lived objects behind at start-up;
        # frozen, they are no longer walked by every full collection, whose pauses
        # would otherwise land on whichever requests are in flight.
        gc.freeze()
        log.info("tandem listening on http://%s:%d", settings.host, settings.port)
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        await runtime.close()


def serve(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per job run
    try:
        asyncio.run(_run(settings))
    except KeyboardInterrupt:
        log.info("tandem stopped")
