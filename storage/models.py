"""The tables. Configuration (tenants, people) is mirrored here so that alerts and
audit rows can refer to it; the YAML file stays the source of truth."""

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, Integer, Table, UniqueConstraint, event, text
from sqlalchemy.orm.attributes import get_history
from sqlmodel import Field, SQLModel, col

import storage.checkpoint_models  # noqa: F401
import storage.execution_models  # noqa: F401  (their tables join the metadata with these)
import storage.outbox_models  # noqa: F401
import storage.report_models  # noqa: F401
import storage.storm_models  # noqa: F401
from storage.types import timestamp

# The one status storage must name (handlers.enums.Status.RESOLVED): an alert in any
# other is live. Spelled once, as the partial unique index's predicate, which the
# queries that must use that index repeat literally.
RESOLVED = "resolved"
UNRESOLVED_SQL = f"status != '{RESOLVED}'"




class Tenant(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    name: str
    code: str = Field(unique=True, max_length=16)
    timezone: str = "UTC"
    next_alert_number: int = 1
    audit_seq: int = 0
    audit_head: str = Field(default="", max_length=64)


class Person(SQLModel, table=True):
    email: str = Field(primary_key=True, max_length=320)
    name: str
    side: str = Field(max_length=16)
    roles: str = ""  # comma-separated Role values


class PersonIdentity(SQLModel, table=True):
    """A person's chat account: the platform and the key its adapter identifies them by
    (Slack "TEAM/USER", a Teams Entra object id). People are the deployment's, not one
    tenant's, so a (platform, key) names one person across all tenants."""

    __tablename__ = "person_identity"

    platform: str = Field(primary_key=True, max_length=16)
    key: str = Field(primary_key=True, max_length=128)
    person_email: str = Field(foreign_key="person.email", max_length=320, index=True)


class Membership(SQLModel, table=True):
    person_email: str = Field(primary_key=True, foreign_key="person.email", max_length=320)
    tenant_id: str = Field(primary_key=True, foreign_key="tenant.id", max_length=64)


_alert_version = Column("version", Integer, nullable=False)


class Alert(SQLModel, table=True):
    """An alert. `version` is the optimistic lock (a stale write raises StaleDataError) and
    moves on every change a card shows; `state_version` moves only when the owner, the
    status or the remediation changes (see `_state_moves`), and fences button payloads."""

    id: int = Field(default=None, primary_key=True)
    tenant_id: str = Field(foreign_key="tenant.id", max_length=64)
    number: int
    short_id: str = Field(unique=True, max_length=40)
    source: str = Field(max_length=64)
    fingerprint: str = Field(max_length=300)
    title: str
    description: str = ""
    severity: str = Field(max_length=16)
    labels: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    links: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    channels: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    service: str | None = None
    status: str = Field(max_length=32)
    owner_email: str | None = Field(default=None, foreign_key="person.email", max_length=320)
    owner_side: str | None = Field(default=None, max_length=16)
    escalation_level: int = 0
    escalation_generation: int = 0
    count: int = 1
    version: int = Field(default=1, sa_column=_alert_version)
    state_version: int = 1
    first_seen: datetime = timestamp()
    last_seen: datetime = timestamp()
    claimed_at: datetime | None = timestamp(nullable=True)
    resolved_at: datetime | None = timestamp(nullable=True)
    snoozed_until: datetime | None = timestamp(nullable=True)
    next_escalation_at: datetime | None = timestamp(nullable=True)
    # The source acknowledged it (PagerDuty's acknowledge): escalation pauses until the
    # source triggers it again. Tandem's own status and owner are not touched.
    source_acknowledged_at: datetime | None = timestamp(nullable=True)
    # Flagged as a significant incident under NIS2 (when the company became aware of it),
    # and each step recorded since, {stage: {"at": ISO time, "by": email, "note": text}}.
    # The audit log holds each as a `significant` event; these let a card show the next
    # deadline, and refuse a step recorded twice, without reading the log.
    significant_at: datetime | None = timestamp(nullable=True)
    significant_stages: dict = Field(default_factory=dict,
                                     sa_column=Column(JSON, nullable=False))
    # The silence that keeps this alert quiet; it comes back when that silence ends.
    # None on an alert a routing rule suppressed: those stay silenced.
    silenced_by: int | None = Field(default=None, foreign_key="silence.id")

    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        # At most one unresolved alert per fingerprint: the database, not the code,
        # makes two simultaneous deliveries of one alert end as one row.
        Index(
            "uq_alert_live_fingerprint",
            "tenant_id",
            "fingerprint",
            unique=True,
            sqlite_where=text(UNRESOLVED_SQL),
            postgresql_where=text(UNRESOLVED_SQL),
        ),
        Index("ix_alert_tenant_status", "tenant_id", "status"),
        Index(
            "ix_alert_escalation_due",
            "next_escalation_at",
            sqlite_where=text("next_escalation_at IS NOT NULL"),
            postgresql_where=text("next_escalation_at IS NOT NULL"),
        ),
        # A tenant's significant incidents (few), for reports.
        Index(
            "ix_alert_significant",
            "tenant_id",
            "significant_at",
            sqlite_where=text("significant_at IS NOT NULL"),
            postgresql_where=text("significant_at IS NOT NULL"),
        ),
    )
    __mapper_args__ = {"version_id_col": _alert_version}


_STATE = ("status", "owner_email", "owner_side")


@event.listens_for(Alert, "before_update")
def _state_moves(mapper, connection, alert: Alert) -> None:
    """An ORM update that changes the owner or the status (a remediation's decision is
    a status too) moves the state version; statements that bypass the ORM move it
    themselves."""
    if any(get_history(alert, name).has_changes() for name in _STATE):
        alert.state_version += 1


class Remediation(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    action_id: str = Field(max_length=64)
    note: str = ""
    proposed_by: str = Field(foreign_key="person.email", max_length=320)
    proposer_side: str = Field(max_length=16)
    needs_internal_approver: bool = False
    status: str = Field(default="pending", max_length=16)
    decided_by: str | None = Field(default=None, foreign_key="person.email", max_length=320)
    decision_reason: str = ""
    proposed_at: datetime = timestamp()
    decided_at: datetime | None = timestamp(nullable=True)
    reminded_at: datetime | None = timestamp(nullable=True)  # approvers were reminded (once)
    # The target bound from the alert when it was proposed, e.g. {"user": "jo@acme.example"}
    target: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class AuditEvent(SQLModel, table=True):
    """Append-only and hash-chained per tenant; see storage/audit.py."""

    __tablename__ = "audit_event"

    id: int = Field(default=None, primary_key=True)
    tenant_id: str = Field(foreign_key="tenant.id", max_length=64)
    seq: int
    at: datetime = timestamp()
    actor: str = Field(max_length=320)
    actor_side: str | None = Field(default=None, max_length=16)
    verb: str = Field(max_length=40)
    alert: str | None = Field(default=None, max_length=40, index=True)
    from_status: str | None = Field(default=None, max_length=32)
    to_status: str | None = Field(default=None, max_length=32)
    details: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)

    __table_args__ = (UniqueConstraint("tenant_id", "seq"),)


class CommandKey(SQLModel, table=True):
    """Idempotency keys of commands already applied (a replayed click is a no-op)."""

    __tablename__ = "command_key"

    key: str = Field(primary_key=True, max_length=200)
    tenant_id: str = Field(foreign_key="tenant.id", max_length=64)
    at: datetime = timestamp()


class Silence(SQLModel, table=True):
    """A maintenance window: matching alerts are stored and audited but not posted.

    From starts_at to ends_at; with `every` (e.g. "sun 02:00-04:00", in the tenant's
    time zone) only inside those weekly windows. See handlers/silences.py.
    """

    id: int = Field(default=None, primary_key=True)
    tenant_id: str = Field(foreign_key="tenant.id", max_length=64, index=True)
    matchers: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    reason: str = ""
    created_by: str = Field(max_length=320)
    starts_at: datetime = timestamp()
    ends_at: datetime = timestamp()
    every: str | None = Field(default=None, max_length=64)


class SourceCursor(SQLModel, table=True):
    """Where a poller (e.g. Microsoft Graph) left off, per tenant."""

    __tablename__ = "source_cursor"

    tenant_id: str = Field(primary_key=True, foreign_key="tenant.id", max_length=64)
    source: str = Field(primary_key=True, max_length=64)
    value: str = ""


class TeamsConversation(SQLModel, table=True):
    """Where Tandem can reach Microsoft Teams proactively, learnt from install and messages.

    kind "channel": `key` is the channel's conversation id. kind "person": `key` is the
    person's AAD object id, `user_id` their Teams id ("29:..."), `conversation_id` their
    1:1 chat with the bot once one exists, `email` who they are once known.
    """

    __tablename__ = "teams_conversation"

    kind: str = Field(primary_key=True, max_length=16)
    key: str = Field(primary_key=True, max_length=300)
    service_url: str = Field(max_length=500)
    aad_tenant_id: str | None = Field(default=None, max_length=64)
    bot_id: str | None = Field(default=None, max_length=200)
    team_id: str | None = Field(default=None, max_length=300)
    team_group_id: str | None = Field(default=None, max_length=64)  # for Graph's /teams/{id}
    user_id: str | None = Field(default=None, max_length=200)
    conversation_id: str | None = Field(default=None, max_length=300)
    email: str | None = Field(default=None, max_length=320, index=True)
    updated_at: datetime = timestamp()


# On-call, escalation and digest (handlers/oncall.py, escalation.py, digest.py).
# Window queries of the digest and the timers of the escalation tick use these.
Index("ix_alert_tenant_first_seen", col(Alert.tenant_id), col(Alert.first_seen))
Index("ix_alert_tenant_claimed_at", col(Alert.tenant_id), col(Alert.claimed_at))
Index("ix_alert_tenant_resolved_at", col(Alert.tenant_id), col(Alert.resolved_at))
Index("ix_alert_tenant_status_first_seen", col(Alert.tenant_id), col(Alert.status),
      col(Alert.first_seen))
# The console's board (storage/board.py, migration 0018): each tenant's live alerts
# newest first, and the counts per severity from the index alone.
Index("ix_alert_board_live", col(Alert.tenant_id), col(Alert.first_seen), col(Alert.id),
      sqlite_where=text(UNRESOLVED_SQL), postgresql_where=text(UNRESOLVED_SQL))
Index("ix_alert_board_counts", col(Alert.tenant_id), col(Alert.severity), col(Alert.status),
      col(Alert.owner_email))
Index(
    "ix_alert_snooze_due",
    col(Alert.snoozed_until),
    sqlite_where=text("snoozed_until IS NOT NULL"),
    postgresql_where=text("snoozed_until IS NOT NULL"),
)
# The silence tick looks up the alerts a silence keeps quiet.
Index(
    "ix_alert_silenced_by",
    col(Alert.silenced_by),
    sqlite_where=text("status = 'silenced'"),
    postgresql_where=text("status = 'silenced'"),
)
Index(
    "ix_remediation_pending",
    col(Remediation.proposed_at),
    sqlite_where=text("status = 'pending'"),
    postgresql_where=text("status = 'pending'"),
)
# The monthly report reads a month of a few verbs (storage/evidence.py, migration 0016).
Index("ix_audit_event_tenant_verb_at", col(AuditEvent.tenant_id), col(AuditEvent.verb),
      col(AuditEvent.at))


class OncallOverride(SQLModel, table=True):
    """Someone covers on-call from starts_at to ends_at; `layer` None covers the tenant."""

    __tablename__ = "oncall_override"

    id: int = Field(default=None, primary_key=True)
    tenant_id: str = Field(foreign_key="tenant.id", max_length=64)
    layer: str | None = Field(default=None, max_length=40)
    email: str = Field(foreign_key="person.email", max_length=320)
    starts_at: datetime = timestamp()
    ends_at: datetime = timestamp()
    created_by: str = Field(max_length=320)
    created_at: datetime = timestamp()

    __table_args__ = (Index("ix_oncall_override_window", "tenant_id", "ends_at"),)


class DigestSent(SQLModel, table=True):
    """One row per digest posted: the key makes it once per channel per local day."""

    __tablename__ = "digest_sent"

    tenant_id: str = Field(primary_key=True, foreign_key="tenant.id", max_length=64)
    platform: str = Field(primary_key=True, max_length=16)
    channel: str = Field(primary_key=True, max_length=200)
    local_date: date = Field(primary_key=True)
    sent_at: datetime = timestamp()


class ConfigVersion(SQLModel, table=True):
    """A published configuration: the validated YAML document as loaded (it names the
    environment variables that hold secrets, never a secret). Every replica runs the
    highest version; `tandem serve` at start-up, SIGHUP and `tandem config reload`
    publish a new one when the file's document differs from it (bot/reload.py)."""

    __tablename__ = "config_version"

    version: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    document: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    sha256: str = Field(max_length=64)
    published_at: datetime = timestamp()
    published_by: str = Field(max_length=200)


def table_of(model: type[SQLModel]) -> Table:
    """A table model's Core table, for statements that skip the ORM."""
    return model.__table__  # type: ignore[attr-defined]  # SQLModel sets it, undeclared
