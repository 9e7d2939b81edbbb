"""Live pages: GET /events, a server-sent event stream telling a browser which alerts of
its person's tenants changed, fed by the process's one handlers.console.Feed.

The feed starts with the first browser that listens (a process nobody watches does not
poll) and stops with the app. Each stream subscribes first and then says `ready`, on
which the page fetches itself afresh: whatever changed between the page's first load
and the subscription is shown too. Then:

    event: change   data: {"alerts": ["ACME-7"], "tenants": ["acme"]}
    event: reload   (the browser missed too much, or its person's tenants changed)

and a comment every HEARTBEAT seconds, which also finds streams whose browser left.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.runtime import Runtime
from bot.web.console import console_of
from bot.web.pages import HEADERS
from bot.web.user import user_of, web_user
from handlers.console import Feed, Subscription, Update

log = logging.getLogger("tandem.console")

HEARTBEAT = 15.0
RETRY_MS = 2000  # how soon a browser reconnects after losing the stream
STREAM_HEADERS = {**HEADERS, "Content-Type": "text/event-stream",
                  "X-Accel-Buffering": "no"}  # proxies pass each event on at once


class Live:
    def __init__(self, feed: Feed):
        self.feed = feed
        self.closing = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Run the feed, once: a first poll fixes where each tenant's chain stands, so a
        subscription made after it misses nothing."""
        if self._task is None:
            await self.feed.poll()
        if self._task is None:
            self._task = asyncio.create_task(self.feed.run(), name="console-feed")

    async def stop(self) -> None:
        self.closing.set()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def next(self, subscription: Subscription, timeout: float) -> Update | None:
        """The subscription's next update; None after `timeout` or once the app stops."""
        getting = asyncio.ensure_future(subscription.get())
        closing = asyncio.ensure_future(self.closing.wait())
        done, _ = await asyncio.wait({getting, closing}, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        for waiting in (getting, closing):
            waiting.cancel()
        return getting.result() if getting in done and not getting.cancelled() else None


LIVE = web.AppKey("console_live", Live)


def attach(app: web.Application, runtime: Runtime) -> None:
    async def running(app: web.Application) -> AsyncIterator[None]:
        yield
        await app[LIVE].stop()

    async def shutting_down(app: web.Application) -> None:
        app[LIVE].closing.set()  # open streams end, so stopping does not wait for them

    app[LIVE] = Live(Feed(runtime.db))
    app.cleanup_ctx.append(running)
    app.on_shutdown.append(shutting_down)


def _event(name: str, data: object) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def _said(update: Update) -> bytes:
    if update.reload:
        return _event("reload", {})
    return _event("change", {"alerts": sorted(update.alerts), "tenants": sorted(update.tenants)})


async def events(request: web.Request) -> web.StreamResponse:
    user = web_user(request)
    live = request.app[LIVE]
    await live.start()
    response = web.StreamResponse(headers=STREAM_HEADERS)
    with live.feed.watching(user.tenants) as subscription:
        await response.prepare(request)
        try:
            await response.write(f"retry: {RETRY_MS}\n".encode() + _event("ready", {}))
            while True:
                update = await live.next(subscription, HEARTBEAT)
                if live.closing.is_set():
                    break
                if update is None:
                    await response.write(b": still here\n\n")
                    continue
                if _moved(request, user.email, user.tenants):
                    await response.write(_event("reload", {}))
                    break
                await response.write(_said(update))
        except ConnectionError:  # the browser went away
            pass
    return response


def _moved(request: web.Request, email: str, tenants: frozenset[str]) -> bool:
    """Whether a reload of the configuration changed this person's tenants (or removed
    them): the page reloads, and the gate decides again what it may show."""
    now = user_of(console_of(request).runtime.cfg, email, "")
    return now is None or now.tenants != tenants
