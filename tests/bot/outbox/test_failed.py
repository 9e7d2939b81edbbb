"""Deliveries a platform refuses for good are kept as failed, logged once, counted, listed
and re-queued by `tandem outbox retry`, through the fake Slack Web API, on SQLite and
PostgreSQL."""

import asyncio
import logging

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli.main import app as cli_app
from fakes.slack.api import TOKEN
from handlers.enums import Verb
from storage.outbox_models import Outbox
from tests.conftest import DATA, NOW, new_alert

from .bench import dispatcher
from .test_dispatcher import DANA, LEE, act, card_posts, notes

REVOKED = "xoxb-revoked"


def tandem(db_url: str, *args: str):
    """Run `tandem ...` as an operator would, in a thread (it runs its own event loop)."""
    env = {"TANDEM_DATABASE_URL": db_url, "TANDEM_CONFIG": str(DATA / "config.yaml")}
    return CliRunner().invoke(cli_app, list(args), env=env)


async def cli(db_url: str, *args: str):
    result = await asyncio.to_thread(tandem, db_url, *args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


async def rows(db, channel: str) -> list[Outbox]:
    async with db.read() as s:
        query = select(Outbox).where(Outbox.channel == channel).order_by(Outbox.id)
        return list((await s.execute(query)).scalars())


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "tandem.outbox" and r.levelno == logging.WARNING]


def posts_of(fake, short_id: str) -> list:
    return [c for c in card_posts(fake) if c.args["metadata"]["event_payload"]["alert"] == short_id]


def break_slack(fake, how: str) -> None:
    if how == "channel_not_found":
        fake.channels.discard("C0ALERTS")  # the bot was removed from the channel
    else:
        fake.token = REVOKED  # the app's token was revoked


def fix_slack(fake) -> None:
    fake.channels.add("C0ALERTS")
    fake.token = TOKEN


@pytest.mark.parametrize("error", ["channel_not_found", "invalid_auth"])
async def test_refused_card_is_kept_failed_then_retried_into_one_card(db, db_url, cfg, fake_slack,
                                                                      caplog, error):
    alert = await new_alert(db, cfg, "globex")
    await act(db, cfg, Verb.CLAIM, alert, DANA)  # one lane of two rows
    break_slack(fake_slack, error)
    async with dispatcher(db, cfg, fake_slack) as running:
        for _ in range(3):
            await running.drain()
        metrics = running.metrics.render().decode()
    failed = await rows(db, "C0ALERTS")
    assert [(r.done_at, r.failed_at is not None, r.attempts) for r in failed] == [
        (None, True, 1), (None, True, 1)]
    assert failed[0].last_error == f"chat.postMessage: {error}"
    assert len(fake_slack.calls_to("chat.postMessage", ok_only=False)) == 1  # not re-tried
    [line] = warnings(caplog)
    assert alert in line and error in line
    assert (f'tandem_outbox_deliveries_total{{error="{error}",kind="card",outcome="failed",'
            'platform="slack"} 1.0') in metrics

    listed = await cli(db_url, "outbox", "list", "--failed")
    assert listed.exit_code == 0, listed.output
    header, *lines = listed.stdout.splitlines()
    assert header.split("\t")[:3] == ["ID", "STATE", "TENANT"]
    assert [line.split("\t")[:8] for line in lines] == [
        [str(r.id), "failed", "globex", alert, "slack", "C0ALERTS", "card", "1"] for r in failed]
    assert all(line.endswith(f"chat.postMessage: {error}") for line in lines)

    fix_slack(fake_slack)
    refused = len(posts_of(fake_slack, alert))
    retried = await cli(db_url, "outbox", "retry", "--all")
    assert retried.stdout == f"re-queued 2 row(s): {failed[0].id}, {failed[1].id}\n"
    async with dispatcher(db, cfg, fake_slack) as running:
        await running.drain()
        await running.drain()
    [card] = fake_slack.card_for("C0ALERTS", alert)
    assert len(posts_of(fake_slack, alert)) == refused + 1
    assert notes(fake_slack, card, "C0ALERTS") == ["Dana Reyes (partner) claimed"]
    assert all(r.done_at is not None and r.failed_at is None for r in await rows(db, "C0ALERTS"))
    assert (await cli(db_url, "outbox", "list", "--failed")).stdout == "No failed outbox rows.\n"


async def test_rows_retried_one_by_one_still_post_the_card_once(db, db_url, cfg, fake_slack):
    """Superseded rows: the lane failed twice (before and after a change), and its rows
    are re-queued separately; the card is posted once, the notes each once, in order."""
    alert = await new_alert(db, cfg, "globex")
    fake_slack.channels.discard("C0ALERTS")
    async with dispatcher(db, cfg, fake_slack) as running:
        await running.drain()
        await act(db, cfg, Verb.CLAIM, alert, DANA)
        await act(db, cfg, Verb.ESCALATE, alert, DANA, reason="full")
        await running.drain()
        fake_slack.channels.add("C0ALERTS")
        refused = len(posts_of(fake_slack, alert))
        first, *rest = [r.id for r in await rows(db, "C0ALERTS")]
        assert len(rest) == 2 and all(r.failed_at for r in await rows(db, "C0ALERTS"))
        assert (await cli(db_url, "outbox", "retry", str(first))).exit_code == 0
        await running.drain()
        for row in rest:
            assert (await cli(db_url, "outbox", "retry", str(row))).exit_code == 0
            await running.drain()
    [card] = fake_slack.card_for("C0ALERTS", alert)
    assert len(posts_of(fake_slack, alert)) == refused + 1
    assert notes(fake_slack, card, "C0ALERTS") == ["Dana Reyes (partner) claimed",
                                                   "Dana Reyes (partner) escalated"]


async def test_a_failed_lane_does_not_hold_up_other_rows(db, cfg, fake_slack):
    broken = await new_alert(db, cfg, "globex")
    fine = await new_alert(db, cfg, "acme")
    fake_slack.channels.discard("C0ALERTS")
    async with dispatcher(db, cfg, fake_slack) as running:
        await running.drain()
        await act(db, cfg, Verb.CLAIM, fine, LEE)
        await running.drain()
    assert not fake_slack.card_for("C0ALERTS", broken)
    [card] = fake_slack.card_for("C0OPS", fine)
    assert notes(fake_slack, card) == ["Lee Chen (internal) claimed"]


async def test_metrics_endpoint_counts_failures_and_the_server_delivers_a_retry(stack, db_url,
                                                                               caplog):
    """The whole program: the server's dispatcher fails the card, /metrics shows it, and
    after `tandem outbox retry` from another process its poll delivers it once."""
    stack.fake.token = REVOKED
    status, body = await stack.enqueue("revoked-token")
    assert status == 202, body
    db = stack.runtime.db
    await stack.fake.wait_for(lambda: stack.fake.calls_to("chat.postMessage", ok_only=False))
    deadline = asyncio.get_running_loop().time() + 10
    while not any(r.failed_at for r in await rows(db, "C0OPS")):
        assert asyncio.get_running_loop().time() < deadline, "the row did not fail"
        await asyncio.sleep(0.02)
    async with stack.http.get(stack.server.make_url("/metrics")) as response:
        text = await response.text()
    assert ('tandem_outbox_deliveries_total{error="invalid_auth",kind="card",outcome="failed",'
            'platform="slack"} 1.0') in text
    [line] = warnings(caplog)
    [refused] = card_posts(stack.fake)
    short_id = refused.args["metadata"]["event_payload"]["alert"]
    assert short_id in line and "invalid_auth" in line
    stack.fake.token = TOKEN
    await asyncio.sleep(0.3)  # several polls: a failed row is not re-tried on its own
    assert len(card_posts(stack.fake)) == 1
    assert (await cli(db_url, "outbox", "retry", "--all")).exit_code == 0
    await stack.fake.wait_for(lambda: stack.fake.cards("C0OPS"))
    await asyncio.sleep(0.3)
    assert len(card_posts(stack.fake)) == 2 and len(stack.fake.card_for("C0OPS", short_id)) == 1


async def test_list_escapes_control_characters_from_the_platform(db, db_url):
    async with db.unit() as uow:
        s = await uow.session()
        s.add(Outbox(tenant_id="acme", kind="text", platform="slack", channel="C0\x1b[2J",
                     payload={"text": "hi"}, created_at=NOW, due_at=NOW, failed_at=NOW,
                     attempts=1, last_error="chat.postMessage: \x1b]0;owned\x07"))
    listed = await cli(db_url, "outbox", "list")
    [line] = listed.stdout.splitlines()[1:]
    assert "\x1b" not in line and "\x07" not in line
    assert line.split("\t")[5] == "C0\\x1b[2J"
    assert line.endswith("chat.postMessage: \\x1b]0;owned\\x07")


def test_retry_needs_an_id_or_all_and_names_a_missing_row(sqlite_url):
    for args, message in (((), "give one failed row's id or --all, not both"),
                          (("7", "--all"), "give one failed row's id or --all, not both"),
                          (("7",), "no failed outbox row 7; `tandem outbox list --failed` "
                                   "shows them")):
        result = tandem(sqlite_url, "outbox", "retry", *args)
        assert (result.exit_code, result.stderr, result.stdout) == (1, f"error: {message}\n", "")


def test_help_says_these_are_operator_commands_that_change_no_alert(sqlite_url):
    assert "never change an alert" in tandem(sqlite_url, "outbox", "--help").stdout
    assert "not alerts" in " ".join(tandem(sqlite_url, "outbox", "retry", "--help").stdout.split())
    assert "read-only" in tandem(sqlite_url, "outbox", "list", "--help").stdout
