"""Prometheus metrics, on a registry per application so tests and replicas stay separate.

The Metrics object is made once per app (bot.app) and passed to what counts: intake,
the outbox dispatcher, the scheduler's jobs, the Graph pollers and the Slack and Teams
adapters (decisions on fixes). Every label's values are bounded: platforms, kinds,
outcomes, platform error codes, configured tenants and job ids, never free text.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from handlers.commands import Command, Outcome, Result
from handlers.enums import Verb
from storage.outbox_stats import Backlog

CONTENT_TYPE = CONTENT_TYPE_LATEST
DECISIONS = {Verb.APPROVE: "approved", Verb.REJECT: "rejected"}
RUN_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self._formats: dict[str, FormatMetrics] = {}
        self.received = Counter(
            "tandem_alerts_received",
            "Alert events accepted, by source format.",
            ["format"],
            registry=self.registry,
        )
        self.deduplicated = Counter(
            "tandem_alerts_deduplicated",
            "Events folded into an alert already open.",
            ["format"],
            registry=self.registry,
        )
        self.rejected = Counter(
            "tandem_alerts_rejected",
            "Requests refused, by source format and reason.",
            ["format", "reason"],
            registry=self.registry,
        )
        self.decisions = Counter(
            "tandem_remediation_decisions",
            "Proposed fixes approved or rejected in chat, by tenant and decision.",
            ["tenant", "decision"],
            registry=self.registry,
        )
        self._outbox()
        self._jobs()
        self.ingest_seconds = Histogram(
            "tandem_ingest_seconds",
            "Time from request to committed alerts.",
            ["format"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )

    def _outbox(self) -> None:
        self._backlog_seen: set[tuple[str, str]] = set()
        self.deliveries = Counter(
            "tandem_outbox_deliveries",
            "Outbox deliveries by platform, kind (card, note, dm, text, digest), outcome "
            "(sent, updated, retried, rate_limited, failed) and the platform's error code.",
            ["platform", "kind", "outcome", "error"],
            registry=self.registry,
        )
        self.pending = Gauge(
            "tandem_outbox_pending", "Outbox rows waiting for delivery (not failed), at scrape.",
            ["platform", "kind"], registry=self.registry)
        self.failed_rows = Gauge(
            "tandem_outbox_failed_rows",
            "Outbox rows refused for good, kept until `tandem outbox retry`, at scrape.",
            ["platform", "kind"], registry=self.registry)
        self.oldest_due = Gauge(
            "tandem_outbox_oldest_due_seconds",
            "Age of the oldest outbox row due and not yet delivered (0: none), at scrape.",
            ["platform"], registry=self.registry)

    def _jobs(self) -> None:
        self.job_runs = Counter(
            "tandem_job_runs", "Scheduler job runs by job and outcome (ok, failed).",
            ["job", "outcome"], registry=self.registry)
        self.job_seconds = Histogram(
            "tandem_job_seconds", "Scheduler job run duration.", ["job"],
            buckets=RUN_BUCKETS, registry=self.registry)
        self.leader = Gauge(
            "tandem_scheduler_leader",
            "1 while this replica holds the lead and runs the fleet's jobs, else 0.",
            registry=self.registry)
        self.escalation_steps = Counter(
            "tandem_escalation_steps",
            "Escalation steps taken; each pings its target (person or channels).",
            registry=self.registry)
        self.approval_reminders = Counter(
            "tandem_approval_reminders",
            "Fixes waiting for approval whose approvers were reminded, or that lapsed.",
            ["outcome"], registry=self.registry)
        self.graph_polls = Counter(
            "tandem_graph_polls", "Microsoft Graph security polls by tenant and outcome.",
            ["tenant", "outcome"], registry=self.registry)
        self.executions = Counter(
            "tandem_remediation_executions",
            "Steps of approved fixes carried out, by action kind and what came back "
            "(running, succeeded, failed, retrying, expired).",
            ["kind", "outcome"], registry=self.registry)
        self.graph_poll_seconds = Histogram(
            "tandem_graph_poll_seconds", "Microsoft Graph security poll duration.", ["tenant"],
            buckets=RUN_BUCKETS, registry=self.registry)

    def backlog(self, found: Iterable[Backlog], now: datetime) -> None:
        """Set the backlog gauges from one read; a platform and kind seen before and now
        empty reads 0 rather than vanishing."""
        rows = {(b.platform, b.kind): b for b in found}
        self._backlog_seen |= rows.keys()
        oldest: dict[str, float] = {}
        for key in sorted(self._backlog_seen):
            b = rows.get(key)
            self.pending.labels(*key).set(b.pending if b else 0)
            self.failed_rows.labels(*key).set(b.failed if b else 0)
            age = (now - b.oldest_due).total_seconds() if b and b.oldest_due else 0.0
            oldest[key[0]] = max(oldest.get(key[0], 0.0), age)
        for platform, age in oldest.items():
            self.oldest_due.labels(platform).set(age)

    def decided(self, cmd: Command | None, result: Result | None) -> None:
        """Count an approval or rejection carried out, whichever chat path ran `cmd`: not
        a refused one, nor a replay of one already counted. None (a chat reply that ran
        no command) counts nothing."""
        decision = DECISIONS.get(cmd.verb) if cmd else None
        if decision and result and result.outcome is Outcome.DONE and result.view:
            self.decisions.labels(result.view.tenant_id, decision).inc()

    def intake(self, fmt: str) -> "FormatMetrics":
        """The accepted-request metrics of one format, their labels bound once: a
        `labels()` lookup takes a lock and builds a key, on every request."""
        bound = self._formats.get(fmt)
        if bound is None:
            bound = self._formats[fmt] = FormatMetrics(
                self.received.labels(fmt), self.deduplicated.labels(fmt),
                self.ingest_seconds.labels(fmt))
        return bound

    def render(self) -> bytes:
        return generate_latest(self.registry)


@dataclass(frozen=True)
class FormatMetrics:
    received: Counter
    deduplicated: Counter
    ingest_seconds: Histogram
