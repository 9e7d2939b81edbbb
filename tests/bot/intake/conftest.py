"""An intake server on a real loopback port, backed by each database engine."""

import json
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.app import build_app
from bot.config import Settings
from bot.runtime import Runtime

PAYLOADS = Path(__file__).parent.parent / "sources" / "payloads"
TOKENS = {
    "TANDEM_TEST_ACME_TOKEN": "acme-native-token",
    "TANDEM_TEST_ACME_PROM": "acme-prom-token",
    "TANDEM_TEST_ACME_GRAFANA": "acme-grafana-token",
    "TANDEM_TEST_ACME_AZURE": "acme-azure-token",
    "TANDEM_TEST_ACME_ROUTING": "acmeroutingkey0000000000000000001",
    "TANDEM_TEST_GLOBEX_TOKEN": "globex-native-token",
    "TANDEM_TEST_GLOBEX_ROUTING": "globexroutingkey00000000000000001",
}


def payload(name: str) -> dict:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


@pytest.fixture
def tokens(monkeypatch):
    for name, value in TOKENS.items():
        monkeypatch.setenv(name, value)
    return TOKENS


class Client:
    """Real HTTP against the app under test."""

    def __init__(self, session: aiohttp.ClientSession, base: str):
        self.session, self.base = session, base

    async def post(
        self, path: str, body=None, *, token: str | None = None, raw: bytes | None = None
    ) -> tuple[int, dict, dict]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else json.dumps(body).encode()
        async with self.session.post(self.base + path, data=data, headers=headers) as response:
            text = await response.text()
            return response.status, (json.loads(text) if text else {}), dict(response.headers)

    async def get(self, path: str) -> tuple[int, str]:
        async with self.session.get(self.base + path) as response:
            return response.status, await response.text()


async def start(runtime: Runtime):
    server = TestServer(build_app(runtime), host="127.0.0.1")
    await server.start_server()
    session = aiohttp.ClientSession()
    return server, session, Client(session, str(server.make_url("")).rstrip("/"))


@pytest.fixture
async def client(db, cfg, tokens):
    server, session, api = await start(Runtime(Settings(), cfg, db))
    yield api
    await session.close()
    await server.close()
