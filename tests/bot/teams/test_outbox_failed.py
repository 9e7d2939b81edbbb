"""A card the Bot Connector refuses for good (403: the bot was removed from the team) is
kept as failed, logged once and counted; re-queued, it is posted once. SQLite and
PostgreSQL, through the fake connector."""

import logging
from datetime import UTC, datetime

from sqlalchemy import select

from bot.outbox.dispatcher import Dispatcher
from bot.teams.sender import TEAMS_PACING
from storage import outbox_admin
from storage.outbox_models import Outbox
from tests.conftest import new_alert
from tests.fixed import Fixed

from .conftest import CHANNEL
from .test_sender import install


async def _rows(db) -> list[Outbox]:
    async with db.read() as s:
        query = select(Outbox).where(Outbox.platform == "teams").order_by(Outbox.id)
        return list((await s.execute(query)).scalars())


async def test_refused_card_is_kept_failed_and_retried_into_one_card(teams, db, cfg, caplog):
    await install(teams)
    short = await new_alert(db, cfg)
    teams.connector.failures.append((403, {}))
    dispatcher = Dispatcher(db, Fixed(cfg))
    dispatcher.add_sender(teams.teams.sender, TEAMS_PACING)
    for _ in range(3):
        await dispatcher.drain()
    [row] = await _rows(db)
    assert row.done_at is None and row.failed_at is not None and row.attempts == 1
    assert row.last_error == "post card: Bot Connector answered HTTP 403"
    [line] = [r.getMessage() for r in caplog.records
              if r.name == "tandem.outbox" and r.levelno == logging.WARNING]
    assert short in line and "HTTP 403" in line
    metrics = dispatcher.metrics.render().decode()
    assert ('tandem_outbox_deliveries_total{error="http_403",kind="card",outcome="failed",'
            'platform="teams"} 1.0') in metrics
    assert teams.connector.sent("send") == []

    assert await outbox_admin.retry(db, None, datetime.now(UTC)) == [row.id]
    await dispatcher.drain()
    await dispatcher.drain()
    [sent] = teams.connector.sent("send")
    assert sent["conversation"] == CHANNEL
    [row] = await _rows(db)
    assert row.done_at is not None and row.failed_at is None
    await dispatcher.close()
