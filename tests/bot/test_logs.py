"""Logs: JSON lines with TANDEM_LOG_FORMAT=json, and a request id per HTTP request that
every record logged while handling it carries and the response echoes; a hostile
X-Request-Id is replaced, never logged or echoed raw."""

import asyncio
import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from typer.testing import CliRunner

from bot.app import build_app
from bot.cli.main import app as cli_app
from bot.config import Settings
from bot.logs import handler
from bot.request_ids import request_ids
from bot.runtime import open_runtime
from tests.bot.intake.conftest import TOKENS
from tests.conftest import DATA

GENERATED = re.compile(r"[0-9a-f]{32}")
log = logging.getLogger("tandem.test")


@pytest.fixture
def json_lines():
    """Records of every logger, as Tandem's JSON handler writes them."""
    out = io.StringIO()
    root, sink = logging.getLogger(), handler("json", out)
    level = root.level
    root.addHandler(sink)
    root.setLevel(logging.DEBUG)
    yield lambda: [json.loads(line) for line in out.getvalue().splitlines()]
    root.removeHandler(sink)
    root.setLevel(level)


@pytest.fixture
async def logging_app():
    """The request id middleware in front of a handler that logs, as Tandem's handlers
    do, and fails once asked to."""

    async def work(request: web.Request) -> web.Response:
        await asyncio.sleep(0)
        log.warning("handling", extra={"path": request.path})
        if request.query.get("fail"):
            try:
                raise ValueError("broken")
            except ValueError:
                log.exception("it failed")
            raise web.HTTPBadRequest(text="no")
        return web.Response(text="ok")

    app = web.Application(middlewares=[request_ids])
    app.router.add_get("/work", work)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


async def get(server: TestServer, path: str, **headers: str) -> aiohttp.ClientResponse:
    async with aiohttp.ClientSession() as http, http.get(server.make_url(path),
                                                         headers=headers) as response:
        await response.read()
        return response


async def test_json_lines_carry_the_request_id_echoed(logging_app, json_lines):
    answer = await get(logging_app, "/work", **{"X-Request-Id": "req-42.A_b"})
    assert answer.status == 200 and answer.headers["X-Request-Id"] == "req-42.A_b"
    [line] = [e for e in json_lines() if e["logger"] == "tandem.test"]
    assert line["request_id"] == "req-42.A_b" and line["message"] == "handling"
    assert line["level"] == "WARNING" and line["path"] == "/work"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])


async def test_an_error_response_echoes_a_generated_id_and_logs_the_exception(logging_app,
                                                                             json_lines):
    answer = await get(logging_app, "/work?fail=1")
    rid = answer.headers["X-Request-Id"]
    assert answer.status == 400 and GENERATED.fullmatch(rid)
    handled, failed = [e for e in json_lines() if e["logger"] == "tandem.test"]
    assert handled["request_id"] == failed["request_id"] == rid
    assert failed["exception"].startswith("Traceback") and "ValueError: broken" in failed[
        "exception"]


async def test_records_outside_a_request_have_no_request_id(json_lines):
    log.warning("idle")
    [line] = [e for e in json_lines() if e["logger"] == "tandem.test"]
    assert "request_id" not in line


@pytest.mark.parametrize("hostile", ["x" * 129, "a b", "a\"}{", "ümlaut", "x" * 7000])
async def test_a_hostile_request_id_is_replaced(logging_app, json_lines, hostile):
    answer = await get(logging_app, "/work", **{"X-Request-Id": hostile})
    rid = answer.headers["X-Request-Id"]
    assert GENERATED.fullmatch(rid)
    [line] = [e for e in json_lines() if e["logger"] == "tandem.test"]
    assert line["request_id"] == rid


@pytest.mark.parametrize("raw", [b"abc\r\n evil-fold", b"x" * 10_000, b"abc\x0bdef"])
async def test_a_request_id_no_parser_should_accept_is_never_logged_or_echoed(
        logging_app, json_lines, raw):
    """aiohttp refuses these with 400 before any handler runs; its own log line of the
    refusal shows the bad bytes escaped."""
    reader, writer = await asyncio.open_connection("127.0.0.1", logging_app.port)
    writer.write(b"GET /work HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Request-Id: " + raw
                 + b"\r\n\r\n")
    await writer.drain()
    answer = await reader.read()
    writer.close()
    head = answer.split(b"\r\n\r\n")[0]
    assert raw not in answer and b"evil" not in head
    echoed = re.search(rb"X-Request-Id: (\S+)", head)
    assert echoed is None or GENERATED.fullmatch(echoed.group(1).decode())
    logged = [str(value) for line in json_lines() for value in line.values()]
    assert not any(raw.decode() in text for text in logged)  # aiohttp's 400 quotes it escaped
    assert not any(line.get("request_id") for line in json_lines())


async def test_the_app_echoes_request_ids_on_every_route(db_url, tokens):
    runtime = await open_runtime(Settings(database_url=db_url, config=DATA / "config.yaml"))
    server = TestServer(build_app(runtime), host="127.0.0.1")
    await server.start_server()
    try:
        # /nowhere is behind the console's sign-in (bot/web/guard.py), as every page is
        for path, status in [("/healthz", 200), ("/metrics", 200), ("/nowhere", 401)]:
            answer = await get(server, path, **{"X-Request-Id": "probe-1"})
            assert (answer.status, answer.headers["X-Request-Id"]) == (status, "probe-1")
        async with aiohttp.ClientSession() as http, http.post(
                server.make_url("/v1/alerts"), json={}) as refused:
            assert refused.status == 401 and GENERATED.fullmatch(refused.headers["X-Request-Id"])
    finally:
        await server.close()
        await runtime.close()


def test_a_text_record_stays_on_its_line_and_a_traceback_follows_it():
    """A message quoting something from outside (here a channel name with a newline and
    an escape sequence) cannot forge a record; an exception's traceback still follows
    on its own lines."""
    out = io.StringIO()
    writer, logger = handler("text", out), logging.getLogger("tandem.test.text")
    logger.addHandler(writer)
    try:
        logger.warning("channel %s failed", "C0\n2026-12-06 ERROR tandem all clear\x1b[2K")
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("it broke")
    finally:
        logger.removeHandler(writer)
    lines = out.getvalue().splitlines()
    assert lines[0].endswith(
        "WARNING tandem.test.text channel C0\\n2026-12-06 ERROR tandem all clear\\x1b[2K failed")
    assert lines[1].endswith("ERROR tandem.test.text it broke")
    assert lines[2] == "Traceback (most recent call last):" and lines[-1] == "ValueError: boom"


def test_a_bad_log_format_is_one_line():
    result = CliRunner().invoke(cli_app, ["alert", "list"], env={"TANDEM_LOG_FORMAT": "yaml"})
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: TANDEM_LOG_FORMAT: Input should be 'text' or 'json' (got 'yaml')")


def test_serve_writes_json_lines(tmp_path: Path):
    """`tandem serve` with TANDEM_LOG_FORMAT=json: every line on stderr is one JSON
    object, from start-up to stop."""
    exe = Path(sys.executable).with_name("tandem")
    env = {**os.environ, **TOKENS, "TANDEM_DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}",
           "TANDEM_CONFIG": str(DATA / "config.yaml"), "TANDEM_LOG_FORMAT": "json"}
    stderr = tmp_path / "stderr"
    with stderr.open("wb") as out:
        process = subprocess.Popen([str(exe), "serve", "--port", "0"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=out)
    try:
        port = _listening_port(process, stderr)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz",
                                         headers={"X-Request-Id": "from-test"})
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert answer.headers["X-Request-Id"] == "from-test"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0, stderr.read_text()
    lines = [json.loads(line) for line in stderr.read_text().splitlines()]
    assert lines and all({"time", "level", "logger", "message"} <= set(e) for e in lines)
    assert lines[-1]["message"] == "tandem stopped"


def _listening_port(process: subprocess.Popen, stderr: Path) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, stderr.read_text()
        if found := re.search(r"tandem listening on http://127\.0\.0\.1:(\d+)", stderr.read_text()):
            return int(found.group(1))
        time.sleep(0.2)
    raise AssertionError(f"tandem serve did not come up:\n{stderr.read_text()}")
