"""The report of a known month (tests/evidence/month.py) gives exactly its numbers in
the JSON, on SQLite and PostgreSQL."""

import pytest

from handlers.evidence.payload import to_json

from . import month as M


@pytest.fixture
def report(november):
    return to_json(november)["report"]


def _times(rows):
    return {r["side"]: (r["count"], r["median_seconds"], r["p90_seconds"]) for r in rows}


def test_response_times_are_credited_to_the_side_holding_the_alert(report):
    assert _times(report["mtta"]) == M.EXPECTED_MTTA
    assert _times(report["mttr"]) == M.EXPECTED_MTTR
    assert (report["alerts"], report["resolved"]) == (7, 6)  # ACME-6 came in October


def test_sla_breaches_by_severity(report):
    assert {b["severity"]: (b["alerts"], b["breached"]) for b in report["sla_breaches"]} == (
        M.EXPECTED_SLA)
    assert [b["limit_seconds"] for b in report["sla_breaches"]] == [900.0, 1800.0, 14400.0,
                                                                    86400.0]


def test_on_call_hours_per_person_and_side(report):
    assert {h["person"]: h["hours"] for h in report["on_call"]} == M.EXPECTED_ON_CALL
    assert [(h["side"], h["person"]) for h in report["on_call"]] == [
        ("internal", "Lee Chen"), ("internal", "Sam Okafor"),
        ("partner", "Dana Reyes"), ("partner", "Raj Patel")]


def test_escalations_name_who_was_paged(report):
    assert [(e["alert"], e["at"], e["level"], e["notified"], e["side"])
            for e in report["escalations"]] == [
        ("ACME-3", "2026-11-04T08:40:00Z", 1, ["the partner side"], "partner"),
        ("ACME-5", "2026-11-10T09:05:00Z", 1, ["Sam Okafor"], "internal"),
        ("ACME-5", "2026-11-10T09:15:00Z", 2, ["the channel", "Sam Okafor"], "internal"),
        ("ACME-5", "2026-11-10T09:30:00Z", 3, ["Raj Patel"], "partner"),
    ]


def test_remediations_with_decider_outcome_and_containment(report):
    got = [(r["alert"], r["fix"], r["proposed_by"], r["proposed_side"], r["decided_by"],
            r["outcome"], r["finished_at"], r["containment_seconds"])
           for r in report["remediations"]]
    assert got == [
        ("ACME-4", "Block the source IP at the firewall", "Raj Patel", "partner", "Sam Okafor",
         "done by hand", "2026-11-05T14:30:00Z", 1800.0),
        ("ACME-5", "Revoke all sign-in sessions of jo@acme.example", "Lee Chen", "internal",
         "Sam Okafor", "executed", "2026-11-10T09:55:00Z", 3300.0),
    ]


def test_silences_and_snoozes_with_who_and_why(report):
    assert [(q["kind"], q["by"], q["side"], q["reason"], q["starts"], q["ends"], q["scope"])
            for q in report["quiet"]] == [
        ("silence", "Sam Okafor", "internal", "maintenance", "2026-11-15T00:00:00Z",
         "2026-11-16T00:00:00Z", "source=noisy"),
        ("snooze", "Sam Okafor", "internal", "", "2026-11-20T10:05:00Z",
         "2026-11-20T12:05:00Z", "ACME-8"),
    ]


def test_days_sources_and_noisiest(report):
    assert len(report["days"]) == 30
    second = report["days"][1]
    assert (second["day"], second["by_severity"]["high"], second["by_source"]["prometheus"]) == (
        "2026-11-02", 1, 1)
    assert sum(sum(d["by_severity"].values()) for d in report["days"]) == 7
    assert [(n["source"], n["alerts"], n["share"]) for n in report["noisiest"]] == [
        ("prometheus", 3, 0.4286), ("defender", 2, 0.2857), ("azure", 1, 0.1429),
        ("noisy", 1, 0.1429)]


def test_critical_incidents_with_their_timestamps(report):
    got = [(i["alert"], i["detected"], i["assessed"], i["contained"], i["resolved"])
           for i in report["incidents"]]
    assert got == [
        ("ACME-4", "2026-11-05T14:00:00Z", "2026-11-05T14:03:00Z", "2026-11-05T14:30:00Z",
         "2026-11-05T15:00:00Z"),
        ("ACME-5", "2026-11-10T09:00:00Z", "2026-11-10T09:40:00Z", "2026-11-10T09:55:00Z",
         "2026-11-10T10:30:00Z"),
    ]


def test_a_significant_incident_shows_its_nis2_clocks(report):
    acme4 = report["incidents"][0]
    assert acme4["significant_at"] == "2026-11-05T14:20:00Z"
    assert [(c["name"], c["due"], c["done_at"], c["state"]) for c in acme4["clocks"]] == [
        ("early warning", "2026-11-06T14:20:00Z", "2026-11-06T10:00:00Z", "met"),
        ("notification", "2026-11-08T14:20:00Z", "2026-11-09T12:00:00Z", "missed"),
        ("final report", "2026-12-09T12:00:00Z", None, "open"),  # a month after notifying
    ]
    assert report["incidents"][1]["clocks"] == []


def test_a_timeline_has_one_sentence_per_event_with_names(report):
    acme4 = report["incidents"][0]["timeline"]
    assert [(e["actor"], e["side"], e["what"]) for e in acme4] == [
        ("defender", None, "raised ACME-4 (critical)"),
        ("Raj Patel", "partner", "claimed ACME-4"),
        ("Raj Patel", "partner", "proposed Block the source IP at the firewall for ACME-4"),
        ("Sam Okafor", "internal",
         "approved Block the source IP at the firewall: the address is hostile"),
        ("Sam Okafor", "internal",
         "flagged ACME-4 as a significant incident (NIS2 Article 23): "
         "customer data may be exposed"),
        ("Raj Patel", "partner",
         "carried out Block the source IP at the firewall by hand: blocked 203.0.113.9"),
        ("Raj Patel", "partner", "resolved ACME-4"),
        ("Sam Okafor", "internal", "recorded the NIS2 early warning for ACME-4 as submitted"),
        ("Sam Okafor", "internal",
         "recorded the NIS2 incident notification for ACME-4 as submitted"),
    ]
    acme5 = [e["what"] for e in report["incidents"][1]["timeline"]]
    assert "paged Raj Patel about ACME-5 (escalation level 3)" in acme5
    assert "executed Revoke all sign-in sessions of jo@acme.example" in acme5


def test_the_report_is_stable_json(report):
    assert list(report) == sorted(report)
    assert report["starts"] == "2026-11-01T00:00:00Z"
    assert report["ends"] == "2026-12-01T00:00:00Z"
    assert (report["first_checkpoint"], report["last_checkpoint"]) == (None, None)
