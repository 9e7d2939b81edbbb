"""Baseline for bench/ingest.py: an aiohttp handler that reads the body and answers 202."""

import sys

from aiohttp import web


async def accept(request: web.Request) -> web.Response:
    await request.read()
    return web.json_response({"status": "accepted"}, status=202)


if __name__ == "__main__":
    app = web.Application()
    app.router.add_post("/v1/alerts", accept)
    app.router.add_post("/v2/enqueue", accept)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
