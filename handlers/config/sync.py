"""Mirrors the configuration's tenants and people into the database.

Run at start-up and before CLI commands; idempotent. People removed from the
file lose their memberships (and so every right to act) but keep their row,
because audit events and past alerts refer to them.
"""

from sqlalchemy import delete

from handlers.config.schema import TandemConfig
from storage.models import Membership, Person, Tenant
from storage.unit import Session, UnitOfWork


async def _tenants(session: Session, cfg: TandemConfig) -> None:
    for t in cfg.tenants:
        row = await session.get(Tenant, t.id)
        if row is None:
            session.add(Tenant(id=t.id, name=t.name, code=t.code, timezone=t.timezone))
        else:
            row.name, row.code, row.timezone = t.name, t.code, t.timezone


async def _people(session: Session, cfg: TandemConfig) -> None:
    for p in cfg.people:
        fields = {
            "name": p.name,
            "side": p.side.value,
            "roles": ",".join(r.value for r in p.roles),
            "slack_team": p.slack.team if p.slack else None,
            "slack_user": p.slack.user if p.slack else None,
            "teams_aad_id": p.teams.aad_object_id if p.teams else None,
        }
        row = await session.get(Person, p.email)
        if row is None:
            session.add(Person(email=p.email, **fields))
        else:
            for key, value in fields.items():
                setattr(row, key, value)


async def sync(uow: UnitOfWork, cfg: TandemConfig) -> None:
    session = await uow.session()
    await _tenants(session, cfg)
    await _people(session, cfg)
    await session.flush()
    await session.execute(delete(Membership))
    session.add_all(
        Membership(person_email=p.email, tenant_id=t) for p in cfg.people for t in p.tenants
    )
