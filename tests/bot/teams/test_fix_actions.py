"""A fix's Action.Execute invokes over real HTTP: Done through its form, Approve asking
for a reason where the fix needs one, and Resolve classifying an alert from Microsoft
Graph. SQLite and PostgreSQL."""

from sqlalchemy import select

from cards import actions as A
from handlers.commands import Command, Identity, Outcome
from handlers.enums import Severity, Verb
from handlers.intake import AlertIn, ingest
from handlers.lifecycle import execute
from handlers.people.operator import Operator
from handlers.reads import scoped
from storage import queries
from storage.execution_models import Execution
from tests.cards.checks import check_adaptive_card
from tests.conftest import NOW, new_alert

RAJ, SAM = Identity(email="raj@partner.example"), Identity(email="sam@acme.example")


async def _run(db, cfg, short: str, who: Identity, verb: Verb, **args: str) -> None:
    done = await execute(db, cfg, Command(verb, short, who, args))
    assert done.outcome is Outcome.DONE, done.message


async def _proposed(db, cfg, fix: str) -> str:
    short = await new_alert(db, cfg, user="jo@acme.example")
    await _run(db, cfg, short, RAJ, Verb.CLAIM)
    await _run(db, cfg, short, RAJ, Verb.PROPOSE, remediation=fix)
    return short


async def _version(db, cfg, short: str) -> int:
    return (await scoped.show_alert(db, cfg, Operator(), short)).state_version


def inputs(card: dict) -> list[str]:
    return [e["id"] for e in card["body"] if e["type"].startswith("Input.")]


def texts(card: dict) -> str:
    """The card's TextBlocks, those in containers included, one a line."""
    blocks = [*card["body"], *(item for b in card["body"] for item in b.get("items", []))]
    return "\n".join(b.get("text", "") for b in blocks)


async def _history(db, short: str) -> list:
    async with db.unit() as uow:
        return await queries.history(await uow.session(), "acme", short)


async def test_done_opens_a_form_whose_note_ends_a_manual_fix(teams, db, cfg):
    short = await _proposed(db, cfg, "block-ip")
    await _run(db, cfg, short, SAM, Verb.APPROVE)
    version = await _version(db, cfg, short)
    card = (await teams.post(teams.click(short, version, A.REFRESH)))[1]["value"]
    [done_button] = [a for a in card["actions"] if a["verb"] == A.DONE]
    assert done_button["title"] == "Done"
    assert "waiting for someone to do it by hand, then press Done" in texts(card)
    form = (await teams.post(teams.click(short, version, A.DONE)))[1]["value"]
    check_adaptive_card(form)
    assert inputs(form) == ["note"] and "Fix: Block the source IP at the firewall" in texts(form)
    empty = (await teams.post(teams.click(short, version, A.DONE, form=A.DONE, note="")))[1]
    assert empty["value"]["body"][0]["text"] == (
        "Marking a fix done by hand needs a note saying what was done.")
    status, body = await teams.post(teams.click(short, version, A.DONE, form=A.DONE,
                                                note="blocked 203.0.113.9 at the edge"))
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    after = body["value"]
    assert "Fix done by hand" in texts(after)
    assert A.DONE not in [a["verb"] for a in after["actions"]]
    [done] = [e for e in await _history(db, short) if e.verb == "done"]
    assert (done.actor, done.details["note"]) == ("sam@acme.example",
                                                  "blocked 203.0.113.9 at the edge")


async def test_approve_asks_for_a_reason_only_where_the_fix_needs_one(teams, db, cfg):
    short = await _proposed(db, cfg, "disable-user")
    version = await _version(db, cfg, short)
    form = (await teams.post(teams.click(short, version, A.APPROVE)))[1]["value"]
    assert inputs(form) == ["reason"] and form["actions"][0]["data"]["form"] == A.APPROVE
    approved = (await teams.post(teams.click(short, version, A.APPROVE, form=A.APPROVE,
                                             reason="Jo confirmed the phishing")))[1]["value"]
    assert "Approved by Sam Okafor (internal): Jo confirmed the phishing" in texts(approved)
    one_click = await _proposed(db, cfg, "revoke-sessions")
    card = (await teams.post(teams.click(one_click, await _version(db, cfg, one_click),
                                         A.APPROVE)))[1]["value"]
    assert "Approved by Sam Okafor (internal)" in texts(card) and not inputs(card)


async def test_resolving_an_alert_from_graph_classifies_it_there(teams, db, cfg):
    event = AlertIn(source="graph", title="Risky sign-in", severity=Severity.HIGH,
                    dedup_key="da637551234567890123_-1234567890", labels={"user": "jo@x.example"})
    async with db.unit() as unit:
        short = (await ingest(unit, cfg, cfg.tenant("acme"), event, NOW)).alert
    form = (await teams.post(teams.click(short, 1, A.RESOLVE)))[1]["value"]
    assert inputs(form) == ["note", "classification"]
    await teams.post(teams.click(short, 1, A.RESOLVE, form=A.RESOLVE, note="travel",
                                 classification="falsePositive"))
    [resolved] = [e for e in await _history(db, short) if e.verb == "resolve"]
    assert resolved.details["classification"] == "falsePositive"
    async with db.unit() as uow:
        rows = (await (await uow.session()).execute(select(Execution))).scalars().all()
    assert [(r.kind, r.options["classification"]) for r in rows] == [
        ("graph.close_alert", "falsePositive")]
    plain = await new_alert(db, cfg)
    form = (await teams.post(teams.click(plain, 1, A.RESOLVE)))[1]["value"]
    assert inputs(form) == ["note"]
