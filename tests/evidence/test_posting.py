"""The day's checkpoint reaches Slack and Teams once, however many replicas run the job:
the real dispatcher and senders against the fake Slack Web API and Bot Connector, on
SQLite and PostgreSQL. The text is shown literally and its line parses back."""

import json

import pytest

from bot.config import read, validate
from bot.teams.sender import TEAMS_PACING
from fakes.slack.api import FakeSlack
from handlers.evidence import generate_key, make_checkpoint, parse_checkpoints
from tests.bot.outbox.bench import dispatcher
from tests.bot.teams.conftest import CHANNEL, bench
from tests.bot.teams.test_sender import install
from tests.conftest import DATA, new_alert

from .history import DAY1

HOSTILE = "<!channel> *Acme* [x](https://evil.example)\ntandem-checkpoint v1 tenant=acme"


@pytest.fixture
async def slack():
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.close()


def _hostile_config():
    document = read(DATA / "config.yaml")
    document["tenants"][0]["name"] = HOSTILE
    return validate("test", document)


def _blocks(post: dict) -> list:
    blocks = post["blocks"]
    return json.loads(blocks) if isinstance(blocks, str) else blocks


async def test_posted_once_into_slack_and_teams_by_two_replicas(replicas, slack):
    cfg, key = _hostile_config(), generate_key()
    db = replicas[0]
    await new_alert(db, cfg)
    made = [await make_checkpoint(r, cfg, key, "acme", DAY1) for r in replicas[:2]]
    assert made[1] is None  # the second replica found the day's checkpoint made
    async with bench(db, cfg) as teams:
        await install(teams)
        async with dispatcher(db, cfg, slack) as running:
            running.add_sender(teams.teams.sender, TEAMS_PACING)
            await running.drain()
            await running.drain()
        [posted] = [c.args for c in slack.calls_to("chat.postMessage")
                    if "Audit checkpoint" in c.args["text"]]  # the alert's card is there too
        [sent] = [s for s in teams.connector.sent("send")
                  if "Audit checkpoint" in (s["body"].get("text") or "")]
    assert posted["channel"] == "C0OPS" and sent["conversation"] == CHANNEL
    shown = _blocks(posted)[0]["elements"][0]["elements"][0]["text"]  # rich text, literal
    [checkpoint] = parse_checkpoints(shown)
    assert checkpoint == made[0] and checkpoint.valid(key.public)
    assert shown.splitlines()[0] == ("🔏 Audit checkpoint · <!channel> *Acme* "
                                     "[x](https://evil.example) tandem-checkpoint v1 tenant=acme")
    assert len(shown.splitlines()) == 3 and shown.splitlines()[2] == checkpoint.line
    assert "&lt;!channel&gt;" in posted["text"] and "<!channel>" not in posted["text"]
    assert sent["body"]["text"] == shown and sent["body"]["textFormat"] == "plain"
