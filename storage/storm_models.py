"""The storm tables: new alerts of one source grouped into one card per channel
(handlers/storms decides, storage/storms.py reads and writes)."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from storage.types import timestamp


class Storm(SQLModel, table=True):
    """New alerts of one source grouped into one card in one channel, while the channel
    receives more new alerts than its tenant's threshold (handlers/storms)."""

    id: int = Field(default=None, primary_key=True)
    tenant_id: str = Field(foreign_key="tenant.id", max_length=64)
    platform: str = Field(max_length=16)
    channel: str = Field(max_length=200)
    source: str = Field(max_length=64)
    opened_at: datetime = timestamp()
    last_at: datetime = timestamp()  # when an alert last joined
    ref: str | None = Field(default=None, max_length=200)  # the card, once posted
    queued: bool = False  # a refresh of the card waits in the outbox, not yet taken

    __table_args__ = (Index("ix_storm_lane", "tenant_id", "platform", "channel", "last_at"),)


class StormAlert(SQLModel, table=True):
    """An alert that joined a storm (it stays counted there once opened on its own)."""

    __tablename__ = "storm_alert"

    storm_id: int = Field(primary_key=True, foreign_key="storm.id")
    alert_id: int = Field(primary_key=True, foreign_key="alert.id")

    # The board asks which storm each alert of a page joined (migration 0018).
    __table_args__ = (Index("ix_storm_alert_alert", "alert_id"),)


class StormWindow(SQLModel, table=True):
    """How many new alerts one channel received in its current window, and until when it
    counts as stormy (a window after it last went over the threshold)."""

    __tablename__ = "storm_window"

    tenant_id: str = Field(primary_key=True, foreign_key="tenant.id", max_length=64)
    platform: str = Field(primary_key=True, max_length=16)
    channel: str = Field(primary_key=True, max_length=200)
    started_at: datetime = timestamp()
    count: int = 0
    stormy_until: datetime | None = timestamp(nullable=True)
