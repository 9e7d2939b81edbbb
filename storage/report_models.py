"""The monthly report's tables: each generated PDF, kept once per tenant and month, and
which channels it was queued for (handlers/evidence/delivery.py decides, storage/reports.py
reads and writes)."""

from datetime import datetime

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import timestamp


class ReportFile(SQLModel, table=True):
    """A month's report as generated, served to Teams through signed links and uploaded to
    Slack from here. Its id is a random URL-safe token: it names the file in those links."""

    __tablename__ = "report_file"

    id: str = Field(primary_key=True, max_length=64)
    tenant_id: str = Field(foreign_key="tenant.id", max_length=64)
    month: str = Field(max_length=7)  # "2026-11"
    sha256: str = Field(max_length=64)
    size: int
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = timestamp()

    __table_args__ = (UniqueConstraint("tenant_id", "month"),)


class ReportSent(SQLModel, table=True):
    """One row per channel a month's report was queued for: the key makes it once."""

    __tablename__ = "report_sent"

    tenant_id: str = Field(primary_key=True, foreign_key="tenant.id", max_length=64)
    month: str = Field(primary_key=True, max_length=7)
    platform: str = Field(primary_key=True, max_length=16)
    channel: str = Field(primary_key=True, max_length=200)
    report_id: str = Field(foreign_key="report_file.id", max_length=64)
    sent_at: datetime = timestamp()
