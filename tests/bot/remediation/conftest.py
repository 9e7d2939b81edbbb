"""What the executor tests share: a Job as the worker would hand it, the tenant's app
registration, an aiohttp session, and a loopback port nothing listens on."""

import dataclasses
import socket

import aiohttp
import pytest

from bot.remediation.executor import AppRegistration, Endpoint, Job
from fakes.graph import FakeGraph
from fakes.runbooks import WebhookReceiver

APP = AppRegistration("0c0ffee0-aad-tenant", "tandem-client-id", "s3cret")
JO = {"id": "5f0e1d2c-0000-4000-8000-00000000a11c", "accountEnabled": True}


def job(kind: str, target: dict[str, str] | None = None, *, options: dict | None = None,
        app: AppRegistration | None = APP, endpoint: Endpoint | None = None,
        **changes) -> Job:
    made = Job(id=7, kind=kind, tenant_id="acme", alert="ACME-142", title="The fix",
               target=target if target is not None else {"user": "jo@acme.example"},
               options=options or {}, comment="ACME-142: The fix, approved by Sam Okafor",
               app=app, endpoint=endpoint)
    return dataclasses.replace(made, **changes)


def closed_port_url() -> str:
    """A loopback URL with nothing listening: a network failure, quickly."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def graph():
    """Microsoft Graph and its token endpoint, with jo@acme.example in the directory."""
    fake = await FakeGraph(users={"jo@acme.example": dict(JO)}).start()
    yield fake
    await fake.close()


@pytest.fixture
async def receiver():
    """A Standard Webhooks receiver that verifies every delivery."""
    fake = await WebhookReceiver().start()
    yield fake
    await fake.close()
