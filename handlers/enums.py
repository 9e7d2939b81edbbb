"""The domain's vocabulary: every value here is stored, audited and shown to people."""

from enum import StrEnum


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


class Status(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    REMEDIATION_PENDING = "remediation_pending"
    REMEDIATION_APPROVED = "remediation_approved"
    REMEDIATION_REJECTED = "remediation_rejected"
    SNOOZED = "snoozed"
    SILENCED = "silenced"
    RESOLVED = "resolved"

    # "Live" has two meanings, each defined here once.
    @classmethod
    def unresolved(cls) -> tuple["Status", ...]:
        """Every status but resolved. At most one alert per source alert is unresolved
        (the database's unique index on the fingerprint)."""
        return tuple(s for s in cls if s is not cls.RESOLVED)

    @classmethod
    def working(cls) -> tuple["Status", ...]:
        """Unresolved and not silenced: what lists, digests and "open" counts show as
        work to do."""
        return tuple(s for s in cls.unresolved() if s is not cls.SILENCED)


class Classification(StrEnum):
    """What a resolved alert turned out to be, told to the source that raised it when
    resolving closes it there (Microsoft Graph's alert classification)."""

    UNKNOWN = "unknown"
    FALSE_POSITIVE = "falsePositive"
    TRUE_POSITIVE = "truePositive"
    INFORMATIONAL = "informationalExpectedActivity"


# The source of the alerts the Microsoft Graph security poller brings in: resolving one
# closes it in Graph too, with a classification.
GRAPH_SOURCE = "graph"


class Side(StrEnum):
    INTERNAL = "internal"
    PARTNER = "partner"

    @property
    def other(self) -> "Side":
        return Side.PARTNER if self is Side.INTERNAL else Side.INTERNAL


class Role(StrEnum):
    RESPONDER = "responder"
    APPROVER = "approver"
    ADMIN = "admin"


class Verb(StrEnum):
    """What a person (or a source) asks to do with an alert."""

    CLAIM = "claim"
    RELEASE = "release"
    REASSIGN = "reassign"
    ESCALATE = "escalate"
    PROPOSE = "propose"
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    SNOOZE = "snooze"
    COMMENT = "comment"
    RETRY = "retry"  # an approved fix that failed is carried out again
    DONE = "done"  # a fix was carried out by hand (a manual fix, or a failed one)
    SIGNIFICANT = "significant"  # a NIS2 significant incident: flagged, then each report

    @property
    def past(self) -> str:
        """How the verb reads in a sentence: "Dana Reyes claimed ACME-1"."""
        return _PAST[self]


_PAST = {
    Verb.CLAIM: "claimed",
    Verb.RELEASE: "released",
    Verb.REASSIGN: "reassigned",
    Verb.ESCALATE: "escalated",
    Verb.PROPOSE: "proposed a fix for",
    Verb.APPROVE: "approved the fix for",
    Verb.REJECT: "rejected the fix for",
    Verb.WITHDRAW: "withdrew the fix for",
    Verb.RESOLVE: "resolved",
    Verb.REOPEN: "reopened",
    Verb.SNOOZE: "snoozed",
    Verb.COMMENT: "commented on",
    Verb.RETRY: "retried the fix for",
    Verb.DONE: "carried out by hand the fix for",
    Verb.SIGNIFICANT: "flagged as significant",
}


class Nis2Stage(StrEnum):
    """A significant incident's steps under NIS2 Article 23: flagged (the company became
    aware of it), then each report submitted to the authority (CSIRT), in this order.
    Audited as the details' "stage" of a `significant` event."""

    FLAGGED = "flagged"
    EARLY_WARNING = "early_warning"  # within 24 h of becoming aware
    NOTIFICATION = "notification"  # within 72 h of becoming aware
    FINAL_REPORT = "final_report"  # within one month of the notification

    @property
    def words(self) -> str:
        """How the step reads in a sentence: "the NIS2 early warning"."""
        return "flag" if self is Nis2Stage.FLAGGED else self.value.replace("_", " ")
