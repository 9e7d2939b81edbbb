"""Published configurations (model ConfigVersion): the highest version is in force.

Replicas poll `latest_version` every few seconds: a read of the primary key's last
entry. Publishing runs one at a time (migrate.one_at_a_time), so `max + 1` is free.
"""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import ConfigVersion


async def latest_version(session: AsyncSession) -> int | None:
    """The version in force, None before anything was published."""
    found = await session.execute(select(func.max(col(ConfigVersion.version))))
    return found.scalar_one()


async def latest(session: AsyncSession) -> ConfigVersion | None:
    query = select(ConfigVersion).order_by(col(ConfigVersion.version).desc()).limit(1)
    return (await session.execute(query)).scalar_one_or_none()


async def add(session: AsyncSession, document: dict, sha256: str, at: datetime,
              by: str) -> int:
    """Store a new version after the latest; returns its number."""
    version = (await latest_version(session) or 0) + 1
    session.add(ConfigVersion(version=version, document=document, sha256=sha256,
                              published_at=at, published_by=by))
    await session.flush()
    return version
