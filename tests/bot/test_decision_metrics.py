"""/metrics counts decisions on proposed fixes by tenant and decision, once per decision
carried out, whichever chat path it came from: a signed Slack click, /tandem, a Teams
Action.Execute and a Teams message, each through the whole app. Refused and replayed
decisions are not counted. SQLite and PostgreSQL."""

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_app
from bot.runtime import Runtime
from cards import actions as A
from fakes.slack.payloads import RAJ, SAM
from handlers.commands import Command, Identity, Outcome
from handlers.enums import Severity, Verb
from handlers.lifecycle import execute
from handlers.people.operator import Operator
from handlers.reads import scoped
from tests.conftest import new_alert

from .conftest import said
from .metrics_scrape import scrape
from .teams.conftest import TENANT, bench, settings_for

DECISIONS = "tandem_remediation_decisions_total"
OWN = "You proposed this fix for {}; someone else must approve it."


async def _proposed(db, cfg, proposer: str, tenant: str = "acme",
                    severity: Severity = Severity.HIGH) -> str:
    """A new alert of `tenant`, claimed by `proposer`, with their fix waiting for approval."""
    short = await new_alert(db, cfg, tenant, severity=severity)
    who = Identity(email=proposer)
    for verb, args in ((Verb.CLAIM, {}), (Verb.PROPOSE, {"remediation": "restart-service"})):
        done = await execute(db, cfg, Command(verb, short, who, args))
        assert done.outcome is Outcome.DONE, done.message
    return short


async def _version(db, cfg, short: str) -> int:
    return (await scoped.show_alert(db, cfg, Operator(), short)).state_version


async def _counted(server: TestServer) -> dict[tuple[str, str], float]:
    """{(tenant, decision): count} of one scrape."""
    return {(labels["tenant"], labels["decision"]): count
            for (name, pairs), count in (await scrape(server)).items()
            if name == DECISIONS for labels in [dict(pairs)]}


async def _has(server: TestServer, key: tuple[str, str]) -> bool:
    return key in await _counted(server)


async def _until(probe: Callable[[], Awaitable[object]], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not await probe():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_slack_clicks_and_typed_commands_count_decisions(stack):
    db, cfg = stack.runtime.db, stack.runtime.cfg
    raj_fix = await _proposed(db, cfg, "raj@partner.example")
    await stack.click(RAJ, raj_fix, await _version(db, cfg, raj_fix), A.APPROVE)
    await stack.fake.wait_for(lambda: stack.fake.ephemeral)
    assert said(stack.fake.ephemeral[0]) == OWN.format(raj_fix)
    assert await _counted(stack.server) == {}  # refused: nothing counted

    await stack.click(SAM, raj_fix, await _version(db, cfg, raj_fix), A.APPROVE)
    await _until(lambda: _has(stack.server, ("acme", "approved")))
    globex_fix = await _proposed(db, cfg, "dana@partner.example", "globex", Severity.LOW)
    await stack.click(RAJ, globex_fix, await _version(db, cfg, globex_fix), A.APPROVE)
    await _until(lambda: _has(stack.server, ("globex", "approved")))

    own = await _proposed(db, cfg, "sam@acme.example")
    assert await stack.slash(SAM, f"approve {own}") == 200
    await stack.fake.wait_for(lambda: stack.fake.responses)
    assert said(stack.fake.responses[0]) == OWN.format(own)
    other = await _proposed(db, cfg, "raj@partner.example")
    assert await stack.slash(SAM, f"reject {other} not during business hours") == 200
    await stack.fake.wait_for(lambda: len(stack.fake.responses) == 2)
    assert said(stack.fake.responses[1]) == f"Sam Okafor (internal) rejected the fix for {other}."
    assert await _counted(stack.server) == {
        ("acme", "approved"): 1, ("globex", "approved"): 1, ("acme", "rejected"): 1}


@pytest.fixture
async def teams_app(db, cfg):
    """The whole app with Teams configured, its Bot Framework services faked on loopback;
    the bench posts activities through the app's own /api/messages."""
    async with bench(db, cfg) as fakes:
        runtime = Runtime(settings_for(fakes.connector, fakes.identity), cfg, db)
        async with TestClient(TestServer(build_app(runtime), host="127.0.0.1")) as client:
            fakes.server = client.server
            yield fakes


def _personal(fakes, text: str) -> dict:
    return fakes.activity("message", text=text,
                          conversation={"id": "a:1on1-aad-sam", "conversationType": "personal",
                                        "tenantId": TENANT}, channelData={"tenant": {"id": TENANT}})


async def test_teams_invokes_and_messages_count_decisions(teams_app, db, cfg):
    raj_fix = await _proposed(db, cfg, "raj@partner.example")
    click = teams_app.click(raj_fix, await _version(db, cfg, raj_fix), A.REJECT)
    for _ in range(2):  # Teams retrying the same invoke replays it; counted once
        status, body = await teams_app.post(click)
        assert status == 200 and body["statusCode"] == 200, body
    assert await _counted(teams_app.server) == {("acme", "rejected"): 1}

    own = await _proposed(db, cfg, "sam@acme.example")
    status, body = await teams_app.post(
        teams_app.click(own, await _version(db, cfg, own), A.APPROVE))
    assert status == 200 and body["value"]["body"][0]["text"] == OWN.format(own)
    other = await _proposed(db, cfg, "raj@partner.example")
    status, _ = await teams_app.post(_personal(teams_app, f"reject {other} wrong service"))
    assert status == 200
    reply = teams_app.connector.sent("reply")[-1]
    assert reply["body"]["text"] == f"Sam Okafor (internal) rejected the fix for {other}."
    assert await _counted(teams_app.server) == {("acme", "rejected"): 2}
