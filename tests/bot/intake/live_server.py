"""Runs the real app in a background thread, for synchronous clients such as hypothesis."""

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web

from bot.app import build_app
from bot.config import Settings
from bot.runtime import Runtime
from handlers.config.schema import TandemConfig
from handlers.config.sync import sync
from storage.db import Database, connect


@contextmanager
def live_server(
    url: str, cfg: TandemConfig
) -> Iterator[tuple[str, Database, asyncio.AbstractEventLoop]]:
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict = {}

    async def boot() -> None:
        db = connect(url)
        async with db.unit() as uow:
            await sync(uow, cfg)
        runner = web.AppRunner(build_app(Runtime(Settings(), cfg, db)))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        holder.update(db=db, runner=runner, base=f"http://127.0.0.1:{port}")

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(boot())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(30)
    try:
        yield holder["base"], holder["db"], loop
    finally:

        async def stop() -> None:
            await holder["runner"].cleanup()
            await holder["db"].dispose()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
