"""Alert intake: source events in Tandem's terms, deduplicated, routed and silenced,
one group of events per unit of work."""

from handlers.intake.ingest import Effect, Ingested, ingest, ingest_many
from handlers.intake.types import AlertIn, EventAction, FieldProblem, PayloadError

__all__ = ["AlertIn", "Effect", "EventAction", "FieldProblem", "Ingested", "PayloadError",
           "ingest", "ingest_many"]
