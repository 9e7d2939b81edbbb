"""The whole program (bot.app.build_app) on a loopback port, its Slack Web API pointed at
a fake, reached with correctly signed HTTP requests, on SQLite and PostgreSQL."""

import json
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.app import OUTBOX, build_app
from bot.config import Settings
from bot.outbox.dispatcher import Dispatcher
from bot.runtime import Runtime, open_runtime
from cards.escape import unslack
from fakes.slack import payloads
from fakes.slack.api import TOKEN, FakeSlack
from fakes.slack.signing import SECRET, sign
from storage.models import Alert
from tests.bot.intake.conftest import (
    TOKENS,
    client,  # noqa: F401  (intake on a loopback port)
)
from tests.conftest import DATA

FORM = "application/x-www-form-urlencoded"
# People the fake's users.info knows (by user id). Ivy and "new" have no Slack pair
# configured; Dana does, but a slash command names only the workspace it was typed in.
SLACK_USERS = {
    "U0DANA": {"id": "U0DANA", "team_id": "T0PARTNER",
               "profile": {"email": "dana@partner.example"}},
    "U0IVY": {"id": "U0IVY", "team_id": "T0ACME", "profile": {"email": "Ivy@acme.example"}},
    "U0NEW": {"id": "U0NEW", "team_id": "T0ACME", "profile": {"email": "new@acme.example"}},
}


def slack_settings(db_url: str, fake: FakeSlack, **extra) -> Settings:
    # No trailing slash on purpose: bot.slack.client must add it.
    extra.setdefault("config", DATA / "config.yaml")
    return Settings(database_url=db_url, SLACK_BOT_TOKEN=TOKEN,
                    SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.url.rstrip("/"),
                    slack_posts_per_second=200.0, outbox_poll_seconds=0.05, **extra)


@dataclass
class Stack:
    fake: FakeSlack
    runtime: Runtime
    server: TestServer
    http: aiohttp.ClientSession

    @property
    def dispatcher(self) -> Dispatcher:
        return self.server.app[OUTBOX]

    async def post(self, body: str, headers: dict, content_type: str = FORM,
                   path: str = "/slack/events") -> tuple[int, str]:
        headers = {"Content-Type": content_type, **headers}
        async with self.http.post(self.server.make_url(path), data=body.encode(),
                                  headers=headers) as response:
            return response.status, await response.text()

    async def signed(self, body: str, content_type: str = FORM) -> tuple[int, str]:
        return await self.post(body, sign(body), content_type)

    async def click(self, who, short_id: str, version: int, action: str, **kw) -> int:
        body = payloads.form(payloads.block_action(who, short_id, version, action,
                                                   response_url=self.fake.response_url, **kw))
        status, _ = await self.signed(body)
        return status

    async def slash(self, who, text: str) -> int:
        status, _ = await self.signed(payloads.slash(who, text, self.fake.response_url))
        return status

    async def enqueue(self, key: str, summary: str = "Disk full on db-1",
                      severity: str = "critical") -> tuple[int, dict]:
        body = {"routing_key": TOKENS["TANDEM_TEST_ACME_ROUTING"], "event_action": "trigger",
                "dedup_key": key,
                "payload": {"summary": summary, "source": "db-1", "severity": severity}}
        async with self.http.post(self.server.make_url("/v2/enqueue"), json=body) as response:
            return response.status, await response.json()

    async def version(self, short_id: str) -> int:
        async with self.runtime.db.unit() as uow:
            session = await uow.session()
            query = select(Alert.version).where(Alert.short_id == short_id)
            return (await session.execute(query)).scalar_one()

    async def card(self, short_id: str, channel: str = "C0OPS") -> dict:
        await self.fake.wait_for(lambda: self.fake.card_for(channel, short_id))
        return self.fake.card_for(channel, short_id)[0]


def shows(message: dict, text: str) -> bool:
    """Whether a Slack message's blocks contain `text` anywhere."""
    return text in json.dumps(message.get("blocks"), ensure_ascii=False)


def said(message: dict) -> str:
    """The words of an answer (ephemeral, response_url or thread reply), checking it is sent
    the only way Slack shows them literally: one rich text element of plain text, with an
    entity-escaped notification text saying the same."""
    [block, *_card] = message["blocks"]
    [element] = block["elements"]
    [text] = element["elements"]
    assert block["type"] == "rich_text" and text["type"] == "text" and set(text) == {
        "type", "text"}
    several = "\n" in text["text"]
    assert element["type"] == ("rich_text_preformatted" if several else "rich_text_section")
    assert unslack(message["text"]) == text["text"] and "<" not in message["text"]
    return text["text"]


@pytest.fixture
def tokens(monkeypatch):
    """The intake integrations' secrets, in the environment variables the config names."""
    for name, value in TOKENS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
async def fake_slack():
    fake = FakeSlack(users={k: dict(v) for k, v in SLACK_USERS.items()})
    await fake.start()
    yield fake
    await fake.close()


async def running(fake_slack: FakeSlack, settings: Settings):
    """The whole app on a loopback port with Slack pointed at the fake, as a Stack."""
    runtime = await open_runtime(settings)
    server = TestServer(build_app(runtime), host="127.0.0.1")
    await server.start_server()
    http = aiohttp.ClientSession()
    yield Stack(fake_slack, runtime, server, http)
    await http.close()
    await server.close()
    await runtime.close()


@pytest.fixture
async def stack(db_url, fake_slack, tokens):
    async for running_stack in running(fake_slack, slack_settings(db_url, fake_slack)):
        yield running_stack
