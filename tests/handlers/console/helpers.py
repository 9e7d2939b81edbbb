"""People and alerts shared by the console tests (tests/data/config.yaml)."""

import uuid
from datetime import timedelta

from sqlalchemy import select

from handlers.commands import Command, Identity
from handlers.enums import Severity
from handlers.intake.ingest import ingest
from handlers.intake.types import AlertIn
from handlers.lifecycle import execute
from storage.models import AuditEvent
from tests.conftest import NOW

SAM = Identity(email="sam@acme.example")  # Acme only: internal responder, approver, admin
LEE = Identity(email="lee@acme.example")  # Acme only: internal responder
DANA = Identity(email="dana@partner.example")  # Acme and Globex: partner responder
RAJ = Identity(email="raj@partner.example")  # Acme and Globex: partner responder, approver
GINA = Identity(email="gina@globex.example")  # Globex only
STRANGER = Identity(email="who@nowhere.example")


async def alert(db, cfg, tenant="acme", *, title="Disk full on db-1", source="test",
                severity=Severity.HIGH, minutes=0, **labels) -> str:
    """A new alert through intake, first seen `minutes` after NOW; its short id."""
    event = AlertIn(source=source, title=title, severity=severity, dedup_key=uuid.uuid4().hex,
                    labels=labels, occurred_at=NOW + timedelta(minutes=minutes))
    async with db.unit() as unit:
        done = await ingest(unit, cfg, cfg.tenant(tenant), event, NOW + timedelta(minutes=minutes))
    return done.alert


async def run(db, cfg, verb, short_id, who, **args):
    return await execute(db, cfg, Command(verb, short_id, who, args))


async def refusals(db, chain: str) -> list[str]:
    async with db.read() as session:
        found = await session.execute(
            select(AuditEvent).where(AuditEvent.verb == "refused", AuditEvent.tenant_id == chain)
            .order_by(AuditEvent.seq))
        return [e.details["reason"] for e in found.scalars()]
