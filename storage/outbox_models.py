"""The durable outbox's tables: queued messages, the one posted message per alert per
channel, the dispatchers' heartbeats and each channel's shared send schedule."""

from datetime import datetime

from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field, SQLModel

from storage.types import timestamp


class Outbox(SQLModel, table=True):
    """Durable queue of messages to deliver; written in the same transaction as the change."""

    id: int = Field(default=None, primary_key=True)
    tenant_id: str = Field(foreign_key="tenant.id", max_length=64)
    alert_id: int | None = Field(default=None, foreign_key="alert.id")
    kind: str = Field(max_length=32)
    platform: str = Field(max_length=16)
    channel: str = Field(max_length=200)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = timestamp()
    due_at: datetime = timestamp()
    attempts: int = 0
    last_error: str = ""
    done_at: datetime | None = timestamp(nullable=True)
    # Refused for good (e.g. channel_not_found): kept, not retried, until `outbox retry`.
    failed_at: datetime | None = timestamp(nullable=True)
    # The dispatcher instance whose lease pushed due_at out (None: a wait, not a lease).
    leased_by: str | None = Field(default=None, max_length=64)

    __table_args__ = (
        Index("ix_outbox_pending", "done_at", "due_at"),
        # Intake asks "is a card refresh already queued for this alert?" on every repeat.
        Index(
            "ix_outbox_alert_pending",
            "alert_id",
            sqlite_where=text("done_at IS NULL"),
            postgresql_where=text("done_at IS NULL"),
        ),
    )


class MessageRef(SQLModel, table=True):
    """The one posted message per alert per channel; later changes update it.

    An alert grouped into a storm (storage/storm_models.py) has, until it is opened on its
    own, the storm's card as its message: `ref` is "storm:<id>"."""

    __tablename__ = "message_ref"

    alert_id: int = Field(primary_key=True, foreign_key="alert.id")
    platform: str = Field(primary_key=True, max_length=16)
    channel: str = Field(primary_key=True, max_length=200)
    ref: str = Field(max_length=200)
    rendered_version: int = 0
    inflight_at: datetime | None = timestamp(nullable=True)  # when a first post was marked in doubt


class OutboxInstance(SQLModel, table=True):
    """A running outbox dispatcher; its leases are void once it stops beating."""

    __tablename__ = "outbox_instance"

    id: str = Field(primary_key=True, max_length=64)
    started_at: datetime = timestamp()
    beat_at: datetime = timestamp()


class ChannelPace(SQLModel, table=True):
    """One chat channel's send schedule, shared by every replica (bot/outbox/pacing.py).

    Times are seconds since the epoch on the database's clock, so replicas whose
    clocks disagree still space their sends by the channel's interval.
    """

    __tablename__ = "channel_pace"

    platform: str = Field(primary_key=True, max_length=16)
    channel: str = Field(primary_key=True, max_length=200)
    next_at: float = 0.0  # the theoretical arrival time of the next send (GCRA)
    held_until: float = 0.0  # a Retry-After the platform asked for
