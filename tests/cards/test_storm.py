"""The storm card's two renderings from one StormView: wording, buttons, escaping."""

from datetime import UTC, datetime, timedelta

from cards import actions as A
from cards import storm
from cards.escape import unmarkdown
from handlers.enums import Severity, Status
from handlers.views import PersonView, StormRow, StormView

AT = datetime(2026, 11, 20, 14, 2, tzinfo=UTC)
EVIL = "<!channel> **bold** [x](https://evil.example)"


def view(rows: int = 2, count: int = 37, title: str = "Disk full") -> StormView:
    shown = tuple(StormRow(f"ACME-{n}", f"{title} {n}", Severity.MEDIUM, Status.OPEN, 1)
                  for n in range(rows))
    return StormView(7, "acme", "Europe/London", "prometheus", AT, AT + timedelta(seconds=95),
                     count, ((Severity.HIGH, 7), (Severity.MEDIUM, 30)), shown)


def test_the_headline_counts_by_severity_most_severe_first():
    assert storm.headline(view()) == "🌩 37 new alerts from prometheus in 2 min: 7 high, 30 medium"


def test_slack_rows_claim_with_the_alert_cards_payload_and_say_how_to_list_the_rest():
    message = storm.render_slack(view())
    actions = [b for b in message["blocks"] if b["type"] == "actions"]
    claim, open_ = actions[0]["elements"]
    assert claim["value"] == A.ButtonPayload("ACME-0", 1, A.CLAIM).encode()
    assert open_["action_id"] == A.OPEN
    assert message["blocks"][-1]["elements"][0]["text"] == (
        "and 35 more: `tandem alert list --storm 7 --state all`")


def test_claimed_or_opened_rows_offer_no_claim_or_open():
    claimed = StormRow("ACME-1", "t", Severity.LOW, Status.CLAIMED, 2,
                       PersonView("dana@partner.example", "Dana", "partner"), opened=True)
    assert storm.row_actions(claimed) == ()
    assert "Claimed, Dana (partner) · has its own card" in storm.row_text(claimed)


def test_the_top_rows_fit_slacks_block_limit():
    assert len(storm.render_slack(view(rows=15, count=500))["blocks"]) <= 50


def test_markup_in_a_title_is_literal_on_both_platforms():
    slack = storm.render_slack(view(title=EVIL))
    [row, *_] = [b for b in slack["blocks"] if b["type"] == "section"]
    assert row["text"]["type"] == "plain_text" and EVIL in row["text"]["text"]
    teams = storm.render_teams(view(title=EVIL))
    text = teams["body"][2]["items"][0]["text"]
    assert "<!channel>" not in text and "[x](" not in text and "**" not in text
    assert EVIL in unmarkdown(text)


def test_teams_buttons_carry_the_storm_so_the_clicker_keeps_the_storm_card():
    teams = storm.render_teams(view())
    [claim, open_] = teams["body"][2]["items"][1]["actions"]
    assert claim["verb"] == A.CLAIM and claim["data"]["storm"] == 7
    assert A.ButtonPayload.decode(open_["data"]["payload"]).action == A.OPEN
