"""The story Tandem exists for, end to end: at 2 am Microsoft Graph reports a risky
sign-in for jo@acme.example; the partner's on-call engineer claims it from the Slack
card and proposes two fixes; internal IT approves each from Teams; Tandem carries them
out against Microsoft Graph, once each; both cards say so; resolving the alert closes
it in Graph too; and the audit chain verifies."""

import copy
import json

import aiohttp
import pytest
from sqlalchemy import select

from bot.graph.setup import security_pollers
from bot.outbox.dispatcher import Dispatcher
from bot.teams.sender import TEAMS_PACING
from cards import actions as A
from fakes.graph import FakeGraph
from fakes.slack import payloads
from fakes.slack.payloads import DANA
from storage import audit
from storage.models import Alert
from tests.bot.conftest import running, shows, slack_settings
from tests.bot.intake.conftest import PAYLOADS
from tests.bot.teams.conftest import CHANNEL, bench
from tests.bot.teams.test_sender import install
from tests.fixed import Fixed

JO = {"id": "5f0e1d2c-0000-4000-8000-00000000a11c", "accountEnabled": True}
GRAPH_ID = "da638412345678901234_1234567890"


def _risky_sign_in() -> dict:
    """A Graph security alert as the poller reads it: a risky sign-in with jo's account."""
    sample = json.loads((PAYLOADS / "graph_alerts_page.json").read_text())["value"][0]
    alert = copy.deepcopy(sample)
    alert.update(id=GRAPH_ID, title="Risky sign-in: unfamiliar location for jo@acme.example",
                 severity="high", status="new", createdDateTime="2026-12-05T02:04:11Z",
                 evidence=[{"@odata.type": "#microsoft.graph.security.userEvidence",
                            "userAccount": {"userPrincipalName": "jo@acme.example"}}])
    return alert


@pytest.fixture
async def graph(monkeypatch):
    monkeypatch.setenv("TANDEM_TEST_ACME_GRAPH_SECRET", "s3cret")
    fake = await FakeGraph(users={"jo@acme.example": dict(JO)},
                           alerts={GRAPH_ID: {"id": GRAPH_ID, "status": "new"}}).start()
    fake.pages = [[_risky_sign_in()]]
    yield fake
    await fake.close()


@pytest.fixture
async def stack(db_url, fake_slack, tokens, graph, cfg):
    settings = slack_settings(db_url, fake_slack, graph_url=f"{graph.base}/v1.0",
                              graph_login_url=graph.base)
    async for found in running(fake_slack, settings):
        yield found


async def _state(stack, short_id: str) -> int:
    async with stack.runtime.db.read() as session:
        query = select(Alert.state_version).where(Alert.short_id == short_id)
        return (await session.execute(query)).scalar_one()


async def _propose(stack, short_id: str, fix: str, shown: str) -> None:
    """Dana's Propose click, then the modal's submission: both signed Slack requests; the
    card then shows the fix, `shown`, waiting for approval."""
    seen = len(stack.fake.views)
    assert await stack.click(DANA, short_id, await _state(stack, short_id), A.PROPOSE) == 200
    await stack.fake.wait_for(lambda: len(stack.fake.views) > seen)
    modal = stack.fake.views[-1]["view"]
    body = payloads.form(payloads.view_submission(DANA, modal, {"remediation": fix}))
    assert await stack.signed(body) == (200, "")

    def waiting() -> bool:
        card = stack.fake.card_for("C0OPS", short_id)[0]
        return shows(card, f"Fix proposed: {shown}") and not shows(card, "Approved by")
    await stack.fake.wait_for(waiting)


async def _approve(stack, teams, short_id: str, **data) -> None:
    """Sam's Approve on the Teams card (Action.Execute), signed by the Bot Framework."""
    click = teams.click(short_id, await _state(stack, short_id), A.APPROVE, **data)
    status, answer = await teams.post(click)
    assert status == 200, answer



async def _executed(stack, short_id: str, fix: str) -> None:
    """The Slack card says the fix `fix` was executed."""
    def done() -> bool:
        card = stack.fake.card_for("C0OPS", short_id)[0]
        return shows(card, fix) and shows(card, "executed")
    await stack.fake.wait_for(done, timeout=30)


async def test_the_risky_sign_in_at_two_am(stack, graph, cfg):
    db = stack.runtime.db
    async with aiohttp.ClientSession() as http:
        (poller,) = security_pollers(db, cfg, stack.runtime.settings, http)
        assert (await poller.poll()).alerts == 1
        await poller.close()
    async with db.read() as session:
        alert = (await session.execute(select(Alert))).scalar_one()
    assert alert.labels["user"] == "jo@acme.example" and alert.source == "graph"
    short_id = alert.short_id
    await stack.card(short_id)

    assert await stack.click(DANA, short_id, await _state(stack, short_id), A.CLAIM) == 200
    await stack.fake.wait_for(lambda: shows(stack.fake.card_for("C0OPS", short_id)[0],
                                            "Dana Reyes"))
    async with bench(db, cfg) as teams:
        await install(teams)
        await _propose(stack, short_id, "revoke-sessions",
                       "Revoke all sign-in sessions of jo@acme.example")
        await _approve(stack, teams, short_id)
        await _executed(stack, short_id, "Revoke all sign-in sessions of jo@acme.example")
        assert graph.revoked == [JO["id"]]

        await _propose(stack, short_id, "disable-user", "Disable the account of jo@acme.example")
        await _approve(stack, teams, short_id, form=A.APPROVE,
                       reason="sessions revoked; lock the account too")
        await stack.fake.wait_for(lambda: graph.users["jo@acme.example"]["accountEnabled"]
                                  is False, timeout=30)
        await _executed(stack, short_id, "Disable the account of jo@acme.example")
        disabled = [r for r in graph.requests if r["method"] == "PATCH"
                    and r["path"].startswith("/v1.0/users/")]
        assert len(disabled) == 1 and disabled[0]["body"]["accountEnabled"] is False
        assert graph.revoked == [JO["id"]]  # the first fix was not carried out again

        dispatcher = Dispatcher(db, Fixed(cfg))  # the Teams channel's card
        dispatcher.add_sender(teams.teams.sender, TEAMS_PACING)
        await dispatcher.drain()
        teams_card = [c for c in teams.connector.sent("send") + teams.connector.sent("update")
                      if c["conversation"] == CHANNEL][-1]
        assert "executed" in json.dumps(teams_card["body"], ensure_ascii=False)

        click = teams.click(short_id, await _state(stack, short_id), A.RESOLVE, form=A.RESOLVE,
                            note="account locked, sessions revoked",
                            classification="truePositive")
        assert (await teams.post(click))[0] == 200
    await stack.fake.wait_for(lambda: graph.alerts[GRAPH_ID].get("status") == "resolved",
                              timeout=30)
    assert graph.alerts[GRAPH_ID]["classification"] == "truePositive"
    assert (await audit.verify(db)).ok
