"""An audit history with two daily checkpoints between its events, for the checkpoint
tests: acme's events #1-#4, the checkpoint of DAY1 (#4), #5-#8, the checkpoint of DAY2
(#8), then #9-#10."""

from datetime import UTC, datetime, timedelta

from handlers.commands import Command, Identity
from handlers.enums import Verb
from handlers.evidence import make_checkpoint
from handlers.lifecycle.dispatch import execute
from tests.conftest import new_alert

DAY1 = datetime(2026, 11, 21, 8, 30, tzinfo=UTC)  # acme's digest time: 08:30 in London
DAY2 = DAY1 + timedelta(days=1)
LEE = Identity(email="lee@acme.example")


async def notes(db, cfg, alert: str, count: int) -> None:
    for n in range(count):
        done = await execute(db, cfg, Command(Verb.COMMENT, alert, LEE, {"text": f"note {n}"}))
        assert done.outcome == "done", done.message


async def two_checkpoints(db, cfg, key):
    alert = await new_alert(db, cfg)
    await notes(db, cfg, alert, 3)
    first = await make_checkpoint(db, cfg, key, "acme", DAY1)
    await notes(db, cfg, alert, 4)
    second = await make_checkpoint(db, cfg, key, "acme", DAY2)
    await notes(db, cfg, alert, 2)
    assert (first.seq, second.seq) == (4, 8)
    return first, second
