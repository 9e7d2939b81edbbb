"""A real Prometheus Alertmanager delivers to Tandem over its webhook with a bearer token."""

import asyncio
import os
import shutil
import socket
import subprocess
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from sqlalchemy import select

from storage.models import Alert
from tests.bot.intake.conftest import TOKENS

BINARY = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
CONFIG = """
route:
  receiver: tandem
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: tandem
    webhook_configs:
      - url: {url}/v1/integrations/alertmanager
        send_resolved: true
        http_config:
          authorization: {{type: Bearer, credentials: {token}}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def alertmanager_binary():
    if BINARY is None:
        if os.environ.get("TANDEM_TEST_ALERTMANAGER") == "required":
            pytest.fail("prometheus-alertmanager is required but not installed")
        pytest.skip("prometheus-alertmanager not installed (apt-get it to run this test)")
    return BINARY


@pytest.fixture
async def alertmanager(alertmanager_binary, client, tmp_path):
    (tmp_path / "am.yml").write_text(
        CONFIG.format(url=client.base, token=TOKENS["TANDEM_TEST_ACME_PROM"]))
    port = free_port()
    process = subprocess.Popen(
        [alertmanager_binary, f"--config.file={tmp_path / 'am.yml'}",
         f"--storage.path={tmp_path / 'data'}", f"--web.listen-address=127.0.0.1:{port}",
         "--cluster.listen-address="],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as session:
        await wait_for(lambda: ready(session, url), "Alertmanager to start")
        yield session, url
    process.terminate()
    process.wait(10)


async def ready(session, url) -> bool:
    try:
        async with session.get(f"{url}/-/ready") as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False


async def wait_for(check, what: str, timeout: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def tandem_alerts(db) -> list[Alert]:
    async with db.unit() as uow:
        s = await uow.session()
        return list((await s.execute(select(Alert))).scalars())


async def test_fire_and_resolve_through_alertmanager(alertmanager, db):
    session, url = alertmanager
    start = datetime.now(UTC)
    alert = {"labels": {"alertname": "HighErrorRate", "severity": "critical", "job": "api"},
             "annotations": {"summary": "API 5xx above 5%"}, "startsAt": start.isoformat()}
    async with session.post(f"{url}/api/v2/alerts", json=[alert]) as response:
        assert response.status == 200

    async def arrived():
        return len(await tandem_alerts(db)) == 1
    await wait_for(arrived, "the alert to reach Tandem")
    (stored,) = await tandem_alerts(db)
    assert (stored.title, stored.severity, stored.source) == (
        "API 5xx above 5%", "critical", "alertmanager")
    assert stored.status == "open" and stored.service == "api"

    alert["endsAt"] = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    async with session.post(f"{url}/api/v2/alerts", json=[alert]) as response:
        assert response.status == 200

    async def resolved():
        return [a.status for a in await tandem_alerts(db)] == ["resolved"]
    await wait_for(resolved, "the resolve to reach Tandem")
