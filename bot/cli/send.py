"""`tandem alert send`: a smoke test through the native HTTP endpoint of a running server."""

import asyncio
import json
import os
from typing import Annotated

import aiohttp
import typer

from bot.cli.support import echo, fail, settings
from bot.config import ConfigError, Settings, load


def _token(given: Settings, tenant: str) -> str:
    try:
        cfg = load(given.config)
    except ConfigError as error:
        fail("; ".join(error.problems))
    found = cfg.tenant(tenant)
    if found is None:
        fail(f"unknown tenant {tenant!r}")
    env = next((i.token_env for i in found.integrations if i.kind == "native" and i.token_env),
               None)
    if env is None or not os.environ.get(env):
        fail(f"tenant {tenant} has no native integration token set; pass --token")
    return os.environ[env]


async def _post(url: str, token: str, body: dict) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            url, json=body, headers=headers, timeout=aiohttp.ClientTimeout(total=10)
        ) as response,
    ):
        return response.status, await response.json(content_type=None)


def send(
    tenant: Annotated[str, typer.Option(help="Tenant id.")],
    title: Annotated[str, typer.Option(help="Alert title.")],
    severity: Annotated[str, typer.Option(help="critical, high, medium, low or info.")] = "high",
    dedup_key: Annotated[str | None, typer.Option(help="Repeat a key to deduplicate.")] = None,
    label: Annotated[list[str] | None, typer.Option(help="key=value, repeatable.")] = None,
    url: Annotated[
        str | None, typer.Option(help="Server URL; default from TANDEM_HOST/PORT.")
    ] = None,
    token: Annotated[str | None, typer.Option(help="Bearer token; default from config.")] = None,
) -> None:
    """Send one alert to a running Tandem through POST /v1/alerts."""
    found = settings()
    labels = dict(pair.split("=", 1) for pair in label or [] if "=" in pair)
    body = {"title": title, "severity": severity, "source": "cli", "labels": labels}
    if dedup_key:
        body["dedup_key"] = dedup_key
    target = (url or f"http://{found.host}:{found.port}").rstrip("/") + "/v1/alerts"
    try:
        status, answer = asyncio.run(_post(target, token or _token(found, tenant), body))
    except (aiohttp.ClientError, TimeoutError) as error:
        fail(f"cannot reach {target}: {error or type(error).__name__}")
    if status != 202:
        fail(f"HTTP {status}: {json.dumps(answer)}")
    for alert in answer["alerts"]:
        echo(f"{alert['id']} {alert['effect']}")
