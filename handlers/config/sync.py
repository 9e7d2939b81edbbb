"""Mirrors the configuration's tenants and people into the database.

Run at start-up and before CLI commands; idempotent. People removed from the
file lose their memberships (and so every right to act) and their chat accounts
but keep their row, because audit events and past alerts refer to them.
"""

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.config.schema import TandemConfig
from storage.models import Membership, Person, PersonIdentity, Tenant


async def _tenants(session: AsyncSession, cfg: TandemConfig) -> None:
    for t in cfg.tenants:
        row = await session.get(Tenant, t.id)
        if row is None:
            session.add(Tenant(id=t.id, name=t.name, code=t.code, timezone=t.timezone))
        else:
            row.name, row.code, row.timezone = t.name, t.code, t.timezone


async def _people(session: AsyncSession, cfg: TandemConfig) -> None:
    for p in cfg.people:
        fields = {
            "name": p.name,
            "side": p.side.value,
            "roles": ",".join(r.value for r in p.roles),
        }
        row = await session.get(Person, p.email)
        if row is None:
            session.add(Person(email=p.email, **fields))
        else:
            for key, value in fields.items():
                setattr(row, key, value)


async def sync(session: AsyncSession, cfg: TandemConfig) -> None:
    await _tenants(session, cfg)
    await _people(session, cfg)
    await session.flush()
    await session.execute(delete(Membership))
    await session.execute(delete(PersonIdentity))
    session.add_all(
        Membership(person_email=p.email, tenant_id=t) for p in cfg.people for t in p.tenants
    )
    session.add_all(
        PersonIdentity(platform=platform, key=key, person_email=p.email)
        for p in cfg.people for platform, key in p.identities().items()
    )
