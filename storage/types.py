"""Column types shared by the tables."""

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


class UTCDateTime(TypeDecorator):
    """Stores naive UTC on every engine and always hands back aware UTC datetimes.

    One representation on SQLite and PostgreSQL keeps audit hashes identical on both.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def timestamp(nullable: bool = False, index: bool = False):
    """A UTC timestamp column for a table model."""
    return Field(default=None, sa_column=Column(UTCDateTime, nullable=nullable, index=index))
