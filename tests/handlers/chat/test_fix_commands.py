"""`retry`, `done` and `resolve ... as CLASSIFICATION` typed in chat, on SQLite and
PostgreSQL: the same command path as the buttons."""

from handlers.enums import Status
from handlers.people.operator import Operator
from handlers.reads import scoped
from storage import queries
from tests.conftest import new_alert
from tests.handlers.chat.test_commands import DANA, LEE, SAM, ask


async def _approved(db, cfg, fix: str) -> str:
    alert = await new_alert(db, cfg, user="jo@acme.example")
    for who, text in ((DANA, f"claim {alert}"), (DANA, f"propose {alert} {fix}"),
                      (SAM, f"approve {alert} confirmed with the firewall team")):
        reply = await ask(db, cfg, who, text)
        assert not reply.ephemeral, reply.text
    return alert


async def test_a_manual_fix_is_marked_done_with_a_note(db, cfg):
    alert = await _approved(db, cfg, "block-ip")
    retried = await ask(db, cfg, SAM, f"retry {alert}")
    assert retried.ephemeral and retried.text == (
        f"The fix for {alert} has not failed (approved); only a failed fix is retried.")
    done = await ask(db, cfg, LEE, f"done {alert} blocked 203.0.113.9 at the edge")
    assert (done.text, done.ephemeral) == (
        f"Lee Chen (internal) carried out by hand the fix for {alert}.", False)
    view = await scoped.show_alert(db, cfg, Operator(), alert)
    assert view.remediation.status == "done"
    async with db.unit() as uow:
        history = await queries.history(await uow.session(), "acme", alert)
    assert history[-1].verb == "done"
    assert history[-1].details["note"] == "blocked 203.0.113.9 at the edge"


async def test_done_without_a_note_says_how_to_write_it(db, cfg):
    alert = await _approved(db, cfg, "block-ip")
    reply = await ask(db, cfg, LEE, f"done {alert}")
    assert reply.ephemeral and reply.text.startswith("Say what was done. Usage: done ID NOTE")


async def test_a_classification_typed_for_an_alert_from_elsewhere_only_resolves(db, cfg):
    alert = await new_alert(db, cfg)
    await ask(db, cfg, LEE, f"claim {alert}")
    reply = await ask(db, cfg, LEE, f"resolve {alert} as falsePositive freed space")
    assert not reply.ephemeral and reply.view.status is Status.RESOLVED
    async with db.unit() as uow:
        history = await queries.history(await uow.session(), "acme", alert)
    assert history[-1].details == {"note": "freed space"}  # nothing to close at a source
