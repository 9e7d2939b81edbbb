"""`tandem serve`: open the runtime and run the aiohttp app until stopped.

SIGTERM (what a container runtime or Kubernetes sends) and SIGINT stop it gracefully:
the listener closes, requests in flight get up to SHUTDOWN_SECONDS to finish (an
accepted alert is committed before its 202, so none is lost), the outbox dispatcher
stops and releases what it holds, the scheduler stops, the pools close, and the
process exits 0. Handled by the process itself, so it holds as PID 1 too, where the
kernel ignores a signal that has no handler. SIGHUP reloads the configuration file
(bot/reload.py) and keeps running.
"""

import asyncio
import gc
import logging
import signal
import socket

from aiohttp import web

from bot.app import build_app
from bot.config import Settings
from bot.logs import configure as configure_logs
from bot.reload import WATCHER, Watcher, replica_name
from bot.runtime import open_runtime

log = logging.getLogger("tandem")
SHUTDOWN_SECONDS = 5.0  # for requests in flight; the whole stop stays well within 10 s


class CannotListen(Exception):
    """The address is taken or not ours: said in one line, unlike a database failure."""


def _bind(host: str, port: int) -> socket.socket:
    """The listening address, taken before anything else starts: a port in use is said
    in one line before a migration or a background job has logged a word. (Listening
    starts once the app is ready; until then the socket is only bound.)"""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as error:
        raise CannotListen(f"cannot listen on http://{host}:{port}: "
                           f"{error.strerror or error}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as error:
        sock.close()
        raise CannotListen(f"cannot listen on http://{host}:{port}: "
                           f"{error.strerror or error}") from None
    return sock


async def _run(settings: Settings) -> None:
    sock = _bind(settings.host, settings.port)
    try:
        runtime = await open_runtime(settings, publisher=replica_name())
    except BaseException:
        sock.close()
        raise
    app = build_app(runtime)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
    reloads = _reload_on_hangup(app[WATCHER])
    await runner.setup()
    try:
        await web.SockSite(runner, sock).start()
        # The SDKs leave a few hundred thousand long-lived objects behind at start-up;
        # frozen, they are no longer walked by every full collection, whose pauses
        # would otherwise land on whichever requests are in flight.
        gc.freeze()
        host, port = runner.addresses[0][:2]  # the port the system gave for --port 0
        log.info("tandem listening on http://%s:%d", host, port)
        name = await _stop_signal()
        log.info("tandem stopping (%s): finishing requests in flight", name)
    finally:
        asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        reloads.cancel()
        await runner.cleanup()
        await runtime.close()
    log.info("tandem stopped")


async def _stop_signal() -> str:
    """Wait for SIGTERM or SIGINT; returns its name."""
    loop, got = asyncio.get_running_loop(), asyncio.Queue[str]()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, got.put_nowait, sig.name)
    try:
        return await got.get()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


def _reload_on_hangup(watcher: Watcher) -> asyncio.Task:
    """From now on each SIGHUP reloads the configuration file, one reload at a time."""
    wanted = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, wanted.set)

    async def reloads() -> None:
        while True:
            await wanted.wait()
            wanted.clear()  # a SIGHUP during this reload asks for one more
            log.info("tandem reloading its configuration (SIGHUP)")
            await watcher.reload()

    return asyncio.create_task(reloads())


def serve(settings: Settings) -> None:
    configure_logs(settings.log_format, logging.INFO)
    try:
        asyncio.run(_run(settings))
    except KeyboardInterrupt:  # an interrupt before start-up had finished
        log.info("tandem stopped")
