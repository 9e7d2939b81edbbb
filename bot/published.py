"""Published configurations: what every replica of one database runs.

Publishing stores a validated YAML document as a new version (storage/config_versions.py)
and mirrors its tenants and people into the directory (handlers.config.sync) in the same
unit of work, or does nothing when the document is the one in force. The document holds
no secret: integrations name the environment variables that hold them
(handlers/config/schema.py), which each replica reads from its own environment.
Callers publish one at a time (storage.migrate.one_at_a_time).
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

from bot.config import validate
from handlers.config import TandemConfig, sync
from storage import canonical, config_versions
from storage.db import Database
from storage.types import utcnow


@dataclass(frozen=True)
class Published:
    version: int
    new: bool  # False: the document was already the one in force


def as_json(document: dict) -> dict:
    """The document as JSON holds it: YAML's dates and timestamps (an on-call rotation's
    `start: 2026-01-05`) become the ISO text they validate from just the same."""
    return json.loads(json.dumps(document, default=_iso))


def _iso(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"a {type(value).__name__} in a configuration document")


def fingerprint(document: dict) -> str:
    """SHA-256 of the document's canonical JSON: equal documents, equal fingerprints."""
    return hashlib.sha256(canonical.dumps(document)).hexdigest()


async def publish(db: Database, cfg: TandemConfig, document: dict, by: str) -> Published:
    """Make `document` (validated as `cfg`) the configuration in force."""
    document = as_json(document)
    digest = fingerprint(document)
    async with db.unit() as uow:
        session = await uow.session()
        current = await config_versions.latest(session)
        if current is not None and current.sha256 == digest:
            return Published(current.version, new=False)
        version = await config_versions.add(session, document, digest, utcnow(), by)
        await sync(uow, cfg)
    return Published(version, new=True)


async def latest_version(db: Database) -> int | None:
    async with db.read() as session:
        return await config_versions.latest_version(session)


async def in_force(db: Database) -> tuple[int, TandemConfig] | None:
    """The version in force and its configuration; None before any was published. A
    document this release cannot use is a ConfigError naming the version."""
    async with db.read() as session:
        row = await config_versions.latest(session)
    if row is None:
        return None
    return row.version, validate(f"version {row.version} in the database", row.document)
