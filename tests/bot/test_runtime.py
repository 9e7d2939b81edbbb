"""Replicas started at the same moment on one fresh PostgreSQL database all come up:
migrations and the configuration's mirror run one at a time."""

import asyncio
import uuid

from sqlalchemy import func, select

from bot.config import Settings
from bot.runtime import open_runtime
from storage import migrate
from storage.models import Membership
from tests.conftest import DATA, PG_URL, _admin, _with_db


async def test_three_replicas_starting_together_on_an_empty_database(pg_template):
    name = f"tandem_start_{uuid.uuid4().hex[:10]}"
    await _admin(f"CREATE DATABASE {name}")
    settings = Settings(database_url=_with_db(PG_URL, name), config=DATA / "config.yaml")
    try:
        starting = asyncio.gather(*(open_runtime(settings) for _ in range(3)),
                                  return_exceptions=True)
        runtimes = await asyncio.wait_for(starting, 60)  # unserialised, they can deadlock
        assert [r for r in runtimes if isinstance(r, BaseException)] == []
        db = runtimes[0].db
        assert await migrate.current_revision(db) == migrate.head_revision()
        async with db.read() as session:
            count = (await session.execute(select(func.count()).select_from(Membership)))
            assert count.scalar_one() == sum(len(p.tenants) for p in runtimes[0].cfg.people)
        for runtime in runtimes:
            await runtime.close()
    finally:
        await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
