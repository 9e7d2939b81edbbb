from datetime import UTC, datetime

from cards import format as F
from handlers.enums import Status

from .samples import DANA, base_view, pending_view

SUMMER = datetime(2026, 7, 1, 13, 30, tzinfo=UTC)
WINTER = datetime(2026, 11, 22, 14, 2, tzinfo=UTC)


def test_times_show_in_tenant_zone_with_its_abbreviation():
    assert F.format_time(WINTER, "Europe/London") == "2026-11-22 14:02 GMT"
    assert F.format_time(SUMMER, "Europe/London") == "2026-07-01 14:30 BST"
    assert F.format_time(SUMMER, "America/New_York") == "2026-07-01 09:30 EDT"
    assert F.format_time(SUMMER, "UTC") == "2026-07-01 13:30 UTC"
    assert F.clock_time(SUMMER, "Europe/Berlin") == "15:30"


def test_naive_time_is_taken_as_utc_and_unknown_zone_falls_back_to_utc():
    naive = datetime(2026, 7, 1, 13, 30)
    assert F.format_time(naive, "Europe/London") == "2026-07-01 14:30 BST"
    assert F.format_time(SUMMER, "Mars/Olympus_Mons") == "2026-07-01 13:30 UTC"
    assert F.format_time(SUMMER, "") == "2026-07-01 13:30 UTC"


def test_card_fields_use_tenant_zone_in_summer():
    view = base_view(first_seen=SUMMER, last_seen=SUMMER)
    assert ("First seen", "2026-07-01 14:30 BST") in F.fields(view)


def test_label_chips_sorted_capped_and_skip_shown_fields():
    labels = {f"k{i:02d}": "v" for i in range(10)} | {"severity": "critical", "service": "db"}
    chips, hidden = F.label_chips(base_view(labels=labels))
    assert chips == ["k00=v", "k01=v", "k02=v", "k03=v", "k04=v", "k05=v"]
    assert hidden == 4
    assert F.labels_text(base_view(labels=labels)).endswith("k05=v, +4 more")


def test_long_label_values_are_truncated():
    chips, hidden = F.label_chips(base_view(labels={"query": "x" * 500}))
    assert hidden == 0
    assert len(chips[0]) == F.LABEL_VALUE_LIMIT
    assert chips[0].startswith("query=xxx") and chips[0].endswith("…")


def test_alertname_label_is_skipped_only_when_it_repeats_the_title():
    assert "alertname" not in " ".join(F.label_chips(base_view())[0])
    view = base_view(labels={"alertname": "DiskFull"})
    assert F.label_chips(view)[0] == ["alertname=DiskFull"]


def test_truncate():
    assert F.truncate("short", 10) == "short"
    assert F.truncate("abcdefghij", 5) == "abcd…"
    assert len(F.truncate("x" * 5000, F.DESCRIPTION_LIMIT)) == F.DESCRIPTION_LIMIT


def test_owner_and_status_wording():
    assert F.owner_text(base_view(owner_side=None)) == "Unclaimed"
    assert F.owner_text(base_view()) == "Unclaimed (partner side)"
    assert F.owner_text(base_view(owner=DANA)) == "Dana Reyes (partner)"
    snoozed = base_view(status=Status.SNOOZED, snoozed_until=SUMMER)
    assert F.status_text(snoozed) == "Snoozed until 2026-07-01 14:30 BST"
    assert F.status_text(pending_view()) == "Fix awaiting approval"


def test_header_colour_by_severity_and_resolved():
    assert F.header_colour(base_view()) == "attention"
    assert F.header_colour(base_view(status=Status.RESOLVED)) == "good"


def test_links_keep_http_only():
    view = base_view(links=("javascript:alert(1)", "https://a.example/x", "ftp://b", "nonsense"))
    assert F.link_items(view) == [("a.example", "https://a.example/x")]
