"""The execution table: an approved fix being carried out (bot/remediation/worker.py
leases and runs it, handlers/remediation records each step)."""

from datetime import datetime

from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field, SQLModel

from storage.types import timestamp

LIVE = ("queued", "launching", "running")  # statuses the worker still acts on
_LIVE_SQL = "status IN ('queued', 'launching', 'running')"


class Execution(SQLModel, table=True):
    """One run of one action. queued -> launching (committed before the call) ->
    running (the platform took it: external_id) -> succeeded | failed; or expired, when
    the approval ran out before it could start. A retry of a failed fix is a new row."""

    id: int = Field(default=None, primary_key=True)
    tenant_id: str = Field(foreign_key="tenant.id", max_length=64)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    remediation_id: int | None = Field(default=None, foreign_key="remediation.id", index=True)
    kind: str = Field(max_length=48)
    target: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    options: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="queued", max_length=16)
    attempts: int = 0  # launches begun
    due_at: datetime = timestamp()  # when to launch or poll next; a lease pushes it out
    leased_by: str | None = Field(default=None, max_length=64)
    expires_at: datetime | None = timestamp(nullable=True)  # start by then, or never
    external_id: str = Field(default="", max_length=500)
    detail: str = Field(default="", max_length=500)  # the platform's last words
    created_at: datetime = timestamp()
    started_at: datetime | None = timestamp(nullable=True)
    finished_at: datetime | None = timestamp(nullable=True)

    __table_args__ = (
        Index("ix_execution_due", "due_at", sqlite_where=text(_LIVE_SQL),
              postgresql_where=text(_LIVE_SQL)),
    )
