import pytest

from cards import actions as A
from cards import teams
from handlers.enums import Status

from .checks import ac_errors, check_adaptive_card, check_golden
from .samples import STATES, base_view, claimed_view, pending_view, resolved_view


def verbs(card: dict) -> list[str]:
    return [a["verb"] for a in card["actions"]]


@pytest.mark.parametrize("state", sorted(STATES))
def test_golden_and_valid(state):
    card = teams.render_alert(STATES[state]())
    check_adaptive_card(card)
    check_golden(f"teams_{state}", card)


def test_every_status_renders_a_valid_card():
    for status in Status:
        check_adaptive_card(teams.render_alert(base_view(status=status), refresh_user_ids=["u"]))


def test_schema_check_bites():
    card = teams.render_alert(base_view())
    card["body"][0]["colour"] = "red"
    assert ac_errors(card)
    card = teams.render_alert(base_view())
    card["actions"][0]["type"] = "Action.Nope"
    assert ac_errors(card)
    card = teams.render_alert(base_view())
    card["actions"][0]["title"] = 3
    assert ac_errors(card)


def test_envelope_and_header_colour():
    card = teams.render_alert(base_view())
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["version"] == "1.5"
    assert card["body"][0]["color"] == "attention"
    assert teams.render_alert(resolved_view())["body"][0]["color"] == "good"
    assert "refresh" not in card


def test_actions_are_execute_with_payload_data():
    card = teams.render_alert(claimed_view())
    assert verbs(card) == [A.PROPOSE, A.ESCALATE, A.RESOLVE, A.SNOOZE, A.RELEASE, A.SIGNIFICANT,
                           A.HISTORY]
    for action in card["actions"]:
        assert action["type"] == "Action.Execute"
        payload = A.ButtonPayload.decode(action["data"]["payload"])
        assert payload == A.ButtonPayload("ACME-142", 2, action["verb"])
    assert [a.get("mode") for a in card["actions"][-3:]] == ["secondary"] * 3


def test_styles():
    assert teams.render_alert(base_view())["actions"][0]["style"] == "positive"
    reject = [a for a in teams.render_alert(pending_view())["actions"] if a["verb"] == A.REJECT]
    assert reject[0]["style"] == "destructive"


def test_allowed_filtering_and_resolved():
    card = teams.render_alert(pending_view(), allowed=frozenset({A.ESCALATE}))
    assert verbs(card) == [A.ESCALATE, A.HISTORY]
    assert verbs(teams.render_alert(resolved_view())) == [A.REOPEN, A.SIGNIFICANT, A.HISTORY]


def test_refresh_lists_at_most_60_users():
    users = [f"29:user{i}" for i in range(75)]
    card = teams.render_alert(claimed_view(), refresh_user_ids=users)
    check_adaptive_card(card)
    refresh = card["refresh"]
    assert refresh["userIds"] == users[:60]
    assert refresh["action"]["verb"] == A.REFRESH
    payload = A.ButtonPayload.decode(refresh["action"]["data"]["payload"])
    assert payload == A.ButtonPayload("ACME-142", 2, A.REFRESH)
    assert teams.render_alert(claimed_view(), refresh_user_ids=[])["refresh"]["userIds"] == []


def test_same_facts_as_slack():
    from cards import format as F

    card = teams.render_alert(pending_view())
    facts = card["body"][1]["facts"]
    assert [(f["title"], f["value"]) for f in facts] == F.fields(pending_view())
