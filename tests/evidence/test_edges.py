"""The report at its edges, on SQLite and PostgreSQL: months in a time zone that is not
UTC, answers that came after the month, reopened and source-resolved alerts, and NIS2
clocks of incidents flagged the month before."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.enums import Severity, Verb
from handlers.evidence.build import build
from handlers.evidence.payload import to_json
from handlers.intake.ingest import ingest
from handlers.intake.types import AlertIn, EventAction
from storage import evidence

from .month import DANA, LEE, SAM, act, fire, flag

NEW_YORK = ZoneInfo("America/New_York")
GINA = "gina@globex.example"


def ny(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=NEW_YORK).astimezone(UTC)


async def report(db, cfg, tenant: str, month: str, now: datetime) -> dict:
    async with evidence.reading(db) as session:
        return to_json(await build(session, cfg, tenant, month, now))["report"]


def _per_day(found: dict) -> dict[str, int]:
    return {d["day"]: sum(d["by_severity"].values()) for d in found["days"]
            if sum(d["by_severity"].values())}


async def test_a_month_is_the_tenants_local_month(db, cfg):
    """New York: 23:30 on 30 November is 04:30 UTC on 1 December, and still November."""
    for at in (ny(10, 31, 23, 50), ny(11, 1, 0, 10), ny(11, 30, 23, 30), ny(12, 1, 0, 10)):
        await fire(db, cfg, at, Severity.LOW, tenant="globex")
    now = datetime(2026, 12, 10, tzinfo=UTC)
    november = await report(db, cfg, "globex", "2026-11", now)
    assert (november["starts"], november["ends"]) == ("2026-11-01T04:00:00Z",
                                                      "2026-12-01T05:00:00Z")
    assert (november["alerts"], len(november["days"])) == (2, 30)
    assert _per_day(november) == {"2026-11-01": 1, "2026-11-30": 1}
    october = await report(db, cfg, "globex", "2026-10", now)
    assert (october["ends"], _per_day(october)) == ("2026-11-01T04:00:00Z", {"2026-10-31": 1})


async def test_an_answer_after_the_month_decides_its_sla_and_counts_next_month(db, cfg):
    late = await fire(db, cfg, ny(11, 30, 23, 30), Severity.CRITICAL, tenant="globex")
    quick = await fire(db, cfg, ny(11, 30, 23, 50), Severity.HIGH, tenant="globex")
    await act(db, cfg, Verb.CLAIM, late, GINA, ny(12, 1, 0, 10))  # 40 min: over 15 min
    await act(db, cfg, Verb.CLAIM, quick, GINA, ny(12, 1, 0, 5))  # 15 min: within 30 min
    now = datetime(2026, 12, 10, tzinfo=UTC)
    november = await report(db, cfg, "globex", "2026-11", now)
    breaches = {b["severity"]: (b["alerts"], b["breached"]) for b in november["sla_breaches"]}
    assert (breaches["critical"], breaches["high"]) == ((1, 1), (1, 0))
    assert november["mtta"][0]["count"] == 0
    december = await report(db, cfg, "globex", "2026-12", now)
    assert [(t["side"], t["count"], t["median_seconds"]) for t in december["mtta"]] == [
        ("all", 2, 1650.0), ("internal", 2, 1650.0), ("partner", 0, None)]  # 2400 s, 900 s


async def test_an_unanswered_alert_breaches_only_once_its_limit_has_run_out(db, cfg):
    await fire(db, cfg, datetime(2026, 11, 30, 23, 0, tzinfo=UTC), Severity.MEDIUM)
    early = await report(db, cfg, "acme", "2026-11", datetime(2026, 12, 1, 2, tzinfo=UTC))
    later = await report(db, cfg, "acme", "2026-11", datetime(2026, 12, 1, 4, tzinfo=UTC))
    assert [b["breached"] for b in early["sla_breaches"] if b["severity"] == "medium"] == [0]
    assert [b["breached"] for b in later["sla_breaches"] if b["severity"] == "medium"] == [1]


async def _source_resolves(db, cfg, key: str, at: datetime) -> None:
    event = AlertIn(source="prometheus", title="x", severity=Severity.HIGH, dedup_key=key,
                    action=EventAction.RESOLVE)
    async with db.unit() as unit:
        await ingest(unit, cfg, cfg.tenant("acme"), event, at)


async def test_reopened_and_source_resolved_alerts(db, cfg):
    start = datetime(2026, 11, 12, 9, tzinfo=UTC)

    def at(minutes: int) -> datetime:
        return start + timedelta(minutes=minutes)

    async with db.unit() as unit:
        made = await ingest(unit, cfg, cfg.tenant("acme"), AlertIn(
            source="prometheus", title="x", severity=Severity.HIGH, dedup_key="k1"), start)
    await act(db, cfg, Verb.CLAIM, made.alert, DANA, at(10))
    await act(db, cfg, Verb.RELEASE, made.alert, DANA, at(20))
    await _source_resolves(db, cfg, "k1", at(60))  # nobody held it: "all" only
    await act(db, cfg, Verb.REOPEN, made.alert, SAM, at(90))
    await act(db, cfg, Verb.CLAIM, made.alert, LEE, at(100))  # not a first claim
    await act(db, cfg, Verb.RESOLVE, made.alert, LEE, at(120))  # the last resolution counts
    async with db.unit() as unit:
        await ingest(unit, cfg, cfg.tenant("acme"), AlertIn(
            source="prometheus", title="y", severity=Severity.HIGH, dedup_key="k2"), start)
    await _source_resolves(db, cfg, "k2", at(30))
    found = await report(db, cfg, "acme", "2026-11", datetime(2026, 12, 1, tzinfo=UTC))
    assert [(t["side"], t["count"], t["median_seconds"]) for t in found["mtta"]] == [
        ("all", 1, 600.0), ("internal", 0, None), ("partner", 1, 600.0)]
    assert [(t["side"], t["count"], t["median_seconds"]) for t in found["mttr"]] == [
        ("all", 2, 4500.0), ("internal", 1, 7200.0), ("partner", 0, None)]


async def test_nis2_clocks_of_incidents_flagged_before_and_in_the_month(db, cfg):
    october = await fire(db, cfg, datetime(2026, 10, 20, 9, tzinfo=UTC), Severity.HIGH)
    await flag(db, october, "flagged", datetime(2026, 10, 20, 10, tzinfo=UTC))  # 11:00 BST
    await flag(db, october, "early_warning", datetime(2026, 10, 21, 9, tzinfo=UTC))
    await flag(db, october, "final_report", datetime(2026, 11, 25, 9, tzinfo=UTC))
    recent = await fire(db, cfg, datetime(2026, 11, 28, 11, tzinfo=UTC), Severity.MEDIUM)
    await flag(db, recent, "flagged", datetime(2026, 11, 28, 12, tzinfo=UTC))
    old = await fire(db, cfg, datetime(2026, 9, 1, 9, tzinfo=UTC), Severity.HIGH)
    await flag(db, old, "flagged", datetime(2026, 9, 1, 10, tzinfo=UTC))  # all due before
    found = await report(db, cfg, "acme", "2026-11", datetime(2026, 11, 29, 13, tzinfo=UTC))
    clocks = {i["alert"]: [(c["due"], c["done_at"], c["state"]) for c in i["clocks"]]
              for i in found["incidents"]}
    assert clocks == {
        october: [("2026-10-21T10:00:00Z", "2026-10-21T09:00:00Z", "met"),
                  ("2026-10-23T10:00:00Z", None, "missed"),
                  # one month after the notification was due (none was recorded), in
                  # London's wall-clock time: 11:00 BST -> 11:00 GMT
                  ("2026-11-23T11:00:00Z", "2026-11-25T09:00:00Z", "missed")],
        recent: [("2026-11-29T12:00:00Z", None, "missed"),
                 ("2026-12-01T12:00:00Z", None, "open"),
                 ("2027-01-01T12:00:00Z", None, "open")],
    }
