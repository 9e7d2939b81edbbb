"""Mirrors the configuration's tenants and people into the database.

Run at start-up and before CLI commands; idempotent. People removed from the
file lose their memberships (and so every right to act) and their chat accounts
but keep their row, because audit events and past alerts refer to them.
"""

from handlers.config.schema import TandemConfig
from storage import directory
from storage.unit import Session, UnitOfWork


async def _tenants(session: Session, cfg: TandemConfig) -> None:
    for t in cfg.tenants:
        await directory.put_tenant(session, t.id, t.name, t.code, t.timezone)


async def _people(session: Session, cfg: TandemConfig) -> None:
    for p in cfg.people:
        fields = {
            "name": p.name,
            "side": p.side.value,
            "roles": ",".join(r.value for r in p.roles),
        }
        await directory.put_person(session, p.email, **fields)


async def sync(uow: UnitOfWork, cfg: TandemConfig) -> None:
    session = await uow.session()
    await _tenants(session, cfg)
    await _people(session, cfg)
    await directory.replace_memberships(
        session, ((p.email, t) for p in cfg.people for t in p.tenants))
    await directory.replace_identities(
        session, ((platform, key, p.email) for p in cfg.people
                  for platform, key in p.identities().items()))
