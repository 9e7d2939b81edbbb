"""Prometheus metrics, on a registry per application so tests and replicas stay separate."""

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST


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
        self.outbox_failed = Counter(
            "tandem_outbox_failed",
            "Outbox messages a chat platform refused for good (kept as failed rows until "
            "`tandem outbox retry`), by platform and error.",
            ["platform", "error"],
            registry=self.registry,
        )
        self.ingest_seconds = Histogram(
            "tandem_ingest_seconds",
            "Time from request to committed alerts.",
            ["format"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )

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
