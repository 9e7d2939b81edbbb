"""Storage names one status of the domain's, in the SQL of the live-alert index and the
queries that must use it; it must stay the domain's word for it."""

from handlers.enums import Status
from storage.models import RESOLVED, UNRESOLVED_SQL, Alert, table_of


def test_storage_spells_resolved_as_the_domain_does():
    assert Status.RESOLVED.value == RESOLVED
    assert [s for s in Status if s.value == RESOLVED] == [Status.RESOLVED]


def test_the_live_fingerprint_index_is_over_unresolved_alerts():
    index = next(i for i in table_of(Alert).indexes if i.name == "uq_alert_live_fingerprint")
    assert str(index.dialect_options["postgresql"]["where"]) == UNRESOLVED_SQL
    assert str(index.dialect_options["sqlite"]["where"]) == UNRESOLVED_SQL
