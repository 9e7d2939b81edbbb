"""Overrides stored and audited, the oncall answer for chat and the CLI, on both engines."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli.main import app
from handlers.commands import Identity
from handlers.oncall import answer as oncall_answer
from handlers.oncall.overrides import CoverRefused
from handlers.people.resolve import resolve
from storage import audit
from storage.models import AuditEvent, OncallOverride
from tests.conftest import DATA

NOW = datetime(2026, 11, 20, 14, 2, tzinfo=UTC)  # Friday 14:02 GMT: Lee (internal) is on


def _actor(cfg, email):
    return resolve(cfg, Identity(email=email))


async def test_cover_from_chat_changes_who_is_on_and_is_audited(db, cfg):
    acme = cfg.tenant("acme")
    sam = _actor(cfg, "sam@acme.example")
    text, changed = await oncall_answer.chat(db, cfg, sam, [acme], "cover 18:00-22:00", NOW)
    assert changed is True
    assert text == ("Sam Okafor (internal) is on call for Acme Ltd from Fri 20 Nov 18:00 GMT "
                    "until Fri 20 Nov 22:00 GMT.")
    shown = await oncall_answer.view(db, cfg, acme, datetime(2026, 11, 20, 19, tzinfo=UTC))
    assert shown.overall.person.email == "sam@acme.example" and shown.overall.override
    assert shown.overall.until == datetime(2026, 11, 20, 22, tzinfo=UTC)
    assert shown.overall.next_person.email == "raj@partner.example"
    async with db.unit() as uow:
        session = await uow.session()
        [event] = (await session.execute(
            select(AuditEvent).where(AuditEvent.verb == "oncall.override"))).scalars().all()
    assert (event.actor, event.actor_side, event.alert) == ("sam@acme.example", "internal", None)
    assert event.details["starts"] == "2026-11-20T18:00:00+00:00"
    assert (await audit.verify(db)).ok


async def test_oncall_answer_text(db, cfg):
    dana = _actor(cfg, "dana@partner.example")
    text, changed = await oncall_answer.chat(db, cfg, dana, [cfg.tenant("acme")], "", NOW)
    assert changed is False
    assert text.splitlines() == [
        "On call for Acme Ltd at Fri 20 Nov 14:02 GMT:",
        "Now: Lee Chen (internal) until Fri 20 Nov 18:00 GMT; "
        "next Raj Patel (partner) from Fri 20 Nov 18:00 GMT",
        "  internal: Lee Chen (internal) until Fri 20 Nov 18:00 GMT; "
        "next Sam Okafor (internal) from Mon 23 Nov 09:00 GMT",
        "  partner: Dana Reyes (partner) until Fri 20 Nov 18:00 GMT; "
        "next Raj Patel (partner) from Fri 20 Nov 18:00 GMT",
    ]
    globex, _ = await oncall_answer.chat(db, cfg, dana, [cfg.tenant("globex")], "", NOW)
    assert globex == "No on-call schedule is configured for Globex Corp."


@pytest.mark.parametrize(("email", "start", "end", "layer", "problem"), [
    ("gina@globex.example", 18, 22, None, "gina@globex.example is not a configured person of"),
    ("sam@acme.example", 22, 18, None, "An override must end after it starts."),
    ("sam@acme.example", 9, 10, None, "That override would already be over."),
    ("sam@acme.example", 18, 22, "nights", "Acme Ltd has no on-call layer 'nights'"),
    ("ivy@acme.example", 18, 22, None, "Covering on-call needs the responder role"),
])
async def test_refused_covers_change_nothing(db, cfg, email, start, end, layer, problem):
    starts = datetime(2026, 11, 20, start, tzinfo=UTC)
    ends = datetime(2026, 11, 20, end, tzinfo=UTC)
    with pytest.raises(CoverRefused, match=problem):
        await oncall_answer.cover(db, cfg, cfg.tenant("acme"), email, starts, ends,
                                  actor="sam@acme.example", now=NOW, layer=layer)
    async with db.unit() as uow:
        session = await uow.session()
        assert (await session.execute(select(OncallOverride))).scalars().all() == []
        refused = (await session.execute(select(AuditEvent).where(
            AuditEvent.verb == "refused"))).scalar_one()
    assert (refused.tenant_id, refused.details["verb"]) == ("acme", "oncall.override")
    assert refused.details["reason"].startswith(problem.split("'")[0])


async def test_chat_cover_needs_a_range_and_one_tenant(db, cfg):
    dana = _actor(cfg, "dana@partner.example")
    both = [cfg.tenant("acme"), cfg.tenant("globex")]
    text, changed = await oncall_answer.chat(db, cfg, dana, both, "cover 18:00-22:00", NOW)
    assert (changed, text) == (False, "You work for several tenants; run this in that "
                                      "tenant's alert channel.")
    text, _ = await oncall_answer.chat(db, cfg, dana, both[:1], "cover whenever", NOW)
    assert text.startswith("'whenever' is not a start and an end")
    assert text.endswith("Usage: oncall cover START END, e.g. oncall cover tomorrow 18:00-22:00")


def test_cli_show_and_override(sqlite_url, monkeypatch):
    monkeypatch.setenv("TANDEM_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TANDEM_CONFIG", str(DATA / "config.yaml"))
    runner = CliRunner()
    shown = runner.invoke(app, ["oncall", "show", "--tenant", "acme", "--at",
                                "2026-03-29T18:30:00+01:00"])
    assert shown.exit_code == 0, shown.output
    assert shown.output.splitlines()[:2] == [
        "On call for Acme Ltd at Sun 29 Mar 18:30 BST:",
        "Now: Raj Patel (partner) until Mon 30 Mar 08:00 BST; "
        "next Lee Chen (internal) from Mon 30 Mar 08:00 BST",
    ]
    made = runner.invoke(app, ["oncall", "override", "--tenant", "acme", "--as", "sam@acme.example",
                               "--start", "2099-01-02 18:00", "--end", "22:00"])
    assert made.exit_code == 0, made.output
    assert made.output == ("Sam Okafor (internal) is on call for Acme Ltd from Fri 02 Jan 18:00 GMT"
                           " until Fri 02 Jan 22:00 GMT.\n")
    bad = runner.invoke(app, ["oncall", "show", "--tenant", "acme", "--at", "teatime"])
    assert bad.exit_code == 1
    assert "error: --at: 'teatime' is not a time" in bad.output
    assert "Traceback" not in bad.output
