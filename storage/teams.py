"""Teams conversation references: save what install and messages teach, read it back.

Saving is an upsert that never forgets: a field given as None keeps its stored value,
so a channel message from someone does not erase the 1:1 chat learnt earlier.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Membership, TeamsConversation, table_of

CHANNEL = "channel"
PERSON = "person"
_OPTIONAL = ("aad_tenant_id", "bot_id", "team_id", "team_group_id", "user_id", "conversation_id",
             "email")


async def save(
    session: AsyncSession,
    kind: str,
    key: str,
    *,
    service_url: str,
    at: datetime,
    **fields: str | None,
) -> None:
    """Insert or update one reference in a single statement (safe under concurrency)."""
    unknown = set(fields) - set(_OPTIONAL)
    if unknown:
        raise ValueError(f"unknown teams conversation fields: {sorted(unknown)}")
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = {"kind": kind, "key": key, "service_url": service_url, "updated_at": at, **fields}
    stmt = insert(TeamsConversation).values(**values)
    table = table_of(TeamsConversation).c
    changes: dict[str, ColumnElement[Any]] = {
        name: func.coalesce(stmt.excluded[name], table[name]) for name in fields}
    changes |= {"service_url": stmt.excluded.service_url, "updated_at": stmt.excluded.updated_at}
    await session.execute(stmt.on_conflict_do_update(index_elements=["kind", "key"], set_=changes))


async def find(session: AsyncSession, kind: str, key: str) -> TeamsConversation | None:
    return await session.get(TeamsConversation, (kind, key))


async def people_of_tenant(
    session: AsyncSession, tenant_id: str, limit: int
) -> Sequence[TeamsConversation]:
    """People of the tenant whom Teams knows, for a card's per-viewer refresh list."""
    query = (
        select(TeamsConversation)
        .join(Membership, col(Membership.person_email) == TeamsConversation.email)
        .where(
            col(Membership.tenant_id) == tenant_id,
            col(TeamsConversation.kind) == PERSON,
            col(TeamsConversation.user_id).is_not(None),
        )
        .order_by(col(TeamsConversation.email))
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def reachable(session: AsyncSession, aad_ids: Sequence[str]) -> frozenset[str]:
    """The Entra object ids among `aad_ids` whom Teams can be asked to message directly
    (they messaged Tandem, so their Teams user id or 1:1 chat is stored)."""
    query = select(col(TeamsConversation.key)).where(
        col(TeamsConversation.kind) == PERSON, col(TeamsConversation.key).in_(aad_ids),
        or_(col(TeamsConversation.user_id).is_not(None),
            col(TeamsConversation.conversation_id).is_not(None)))
    return frozenset((await session.execute(query)).scalars())
