"""An alert's timeline from the audit log, each event with its standing in the chain."""

from dataclasses import dataclass

from handlers.reads.build import history_entry
from handlers.views import HistoryEntry
from storage import console_chain, queries
from storage.unit import Session


@dataclass(frozen=True)
class TimelineEntry:
    entry: HistoryEntry
    problem: str | None = None  # None: it re-hashes to its hash and links to the one before

    @property
    def intact(self) -> bool:
        return self.problem is None

    def describe_problem(self) -> str | None:
        """The problem as a sentence: "Audit event #12 has been altered: ..."."""
        return f"Audit event #{self.entry.seq} {self.problem}." if self.problem else None


@dataclass(frozen=True)
class Timeline:
    entries: tuple[TimelineEntry, ...]

    @property
    def verified(self) -> bool:
        """Every event of the alert is intact and linked to the event before it."""
        return all(e.intact for e in self.entries)

    @property
    def first_problem(self) -> TimelineEntry | None:
        return next((e for e in self.entries if not e.intact), None)


async def timeline(session: Session, tenant_id: str, short_id: str) -> Timeline:
    """The alert's events in its tenant's chain, oldest first, each checked."""
    events = await queries.history(session, tenant_id, short_id)
    problems = await console_chain.check(session, tenant_id, events)
    return Timeline(tuple(TimelineEntry(history_entry(e), problems[e.seq]) for e in events))
