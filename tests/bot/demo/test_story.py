"""The demo's story is told through the real intake and command paths: each alert ends
in the state the story promises, its timeline is in the audit log, and the chain holds."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.config import EXAMPLE, load
from bot.demo.story import last_two_am, seed
from handlers import escalation
from handlers.config.sync import sync
from storage import audit
from storage.db import connect
from storage.models import Alert, AuditEvent, Remediation
from storage.storm_models import Storm

NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
TOKENS = ("TANDEM_ACME_API_TOKEN", "TANDEM_ACME_PROM_TOKEN", "TANDEM_ACME_ROUTING_KEY",
          "TANDEM_ACME_GRAFANA_TOKEN", "TANDEM_ACME_AZURE_TOKEN")


@pytest.fixture
async def example(db_url, monkeypatch):
    for name in TOKENS:
        monkeypatch.setenv(name, "demo")
    cfg = load(EXAMPLE)
    database = connect(db_url)
    async with database.unit() as uow:
        await sync(uow, cfg)
    yield database, cfg
    await database.dispose()


async def _alerts(db) -> dict[str, Alert]:
    async with db.read() as session:
        return {a.short_id: a for a in (await session.execute(select(Alert))).scalars()}


async def _verbs(db, short_id: str) -> list[str]:
    async with db.read() as session:
        query = select(AuditEvent.verb).where(AuditEvent.alert == short_id).order_by(AuditEvent.seq)
        return list((await session.execute(query)).scalars())


async def test_the_story_ends_as_told(example):
    db, cfg = example
    told = await seed(db, cfg, NOW)
    alerts = await _alerts(db)
    assert alerts[told.incident].status == "resolved"
    assert alerts[told.incident].owner_email == "dana@partner.example"
    assert await _verbs(db, told.incident) == [
        "created", "ping", "claim", "comment", "propose", "approve", "done", "resolve"]
    sign_in = alerts[told.sign_in]
    assert (sign_in.status, sign_in.source, sign_in.labels["user"]) == (
        "remediation_pending", "graph", "jo@acme.example")
    async with db.read() as session:
        fix = (await session.execute(
            select(Remediation).where(Remediation.alert_id == sign_in.id))).scalar_one()
        storms = (await session.execute(select(Storm))).scalars().all()
    assert (fix.action_id, fix.proposed_by, fix.needs_internal_approver) == (
        "revoke-sessions", "dana@partner.example", True)
    assert len(told.storm) == 14 and {alerts[s].status for s in told.storm} == {"open"}
    assert sorted((s.source, s.platform) for s in storms) == [
        ("prometheus", "slack"), ("prometheus", "teams")]  # one storm card per channel
    assert alerts[told.globex].tenant_id == "globex"
    assert (await audit.verify(db)).ok


def test_the_night_is_the_last_one_at_least_an_hour_past():
    assert last_two_am(NOW, "Europe/London") == datetime(2026, 12, 6, 2, 4, 11, tzinfo=UTC)
    early = datetime(2026, 12, 6, 2, 30, tzinfo=UTC)
    assert last_two_am(early, "Europe/London").day == 5


async def test_the_fix_still_waits_for_approval_hours_after_the_night(example):
    """Started in the afternoon, the demo's fix has not expired (4 h in the example)."""
    db, cfg = example
    afternoon = datetime(2026, 12, 6, 16, 45, tzinfo=UTC)
    told = await seed(db, cfg, afternoon)
    await escalation.remind_approvers(db, cfg, afternoon + timedelta(minutes=1))
    async with db.read() as session:
        fix = (await session.execute(select(Remediation).join(
            Alert, Alert.id == Remediation.alert_id).where(
            Alert.short_id == told.sign_in))).scalar_one()
    assert fix.proposed_at.replace(tzinfo=UTC) == afternoon - timedelta(minutes=25)
    assert fix.status == "pending"
