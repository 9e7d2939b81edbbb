"""The audit_checkpoint table: each tenant's signed chain head, one a local day
(handlers/evidence/checkpoints.py makes them; storage/checkpoints.py reads and writes)."""

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from storage.types import timestamp


class AuditCheckpoint(SQLModel, table=True):
    """Event #seq of the tenant's chain had `hash` at `at`, signed by key `key_id`. The key
    (tenant, local date) makes it one a day however many replicas try."""

    __tablename__ = "audit_checkpoint"

    tenant_id: str = Field(primary_key=True, foreign_key="tenant.id", max_length=64)
    local_date: date = Field(primary_key=True)
    seq: int
    hash: str = Field(max_length=64)
    at: datetime = timestamp()
    key_id: str = Field(max_length=16)
    signature: str = Field(max_length=128)

    __table_args__ = (Index("ix_audit_checkpoint_tenant_at", "tenant_id", "at"),)
