"""Tenants, people and who belongs to which tenant, as the configuration last said.

Rows are updated in place and never deleted: audit events and past alerts refer to
them. Memberships and chat accounts are replaced whole.
"""

from collections.abc import Iterable

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Membership, Person, PersonIdentity, Tenant


async def put_tenant(session: AsyncSession, tenant_id: str, name: str, code: str,
                     timezone: str) -> None:
    row = await session.get(Tenant, tenant_id)
    if row is None:
        session.add(Tenant(id=tenant_id, name=name, code=code, timezone=timezone))
    else:
        row.name, row.code, row.timezone = name, code, timezone


async def put_person(session: AsyncSession, email: str, **fields) -> None:
    row = await session.get(Person, email)
    if row is None:
        session.add(Person(email=email, **fields))
    else:
        for key, value in fields.items():
            setattr(row, key, value)


async def replace_memberships(session: AsyncSession, pairs: Iterable[tuple[str, str]]) -> None:
    """Every membership is one of these (person's email, tenant id) pairs from now on."""
    await session.flush()
    await session.execute(delete(Membership))
    session.add_all(Membership(person_email=email, tenant_id=tenant) for email, tenant in pairs)


async def replace_identities(session: AsyncSession,
                             accounts: Iterable[tuple[str, str, str]]) -> None:
    """Every chat account is one of these (platform, key, person's email) from now on."""
    await session.flush()
    await session.execute(delete(PersonIdentity))
    session.add_all(PersonIdentity(platform=platform, key=key, person_email=email)
                    for platform, key, email in accounts)
