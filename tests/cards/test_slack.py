import json

import pytest

from cards import actions as A
from cards import slack
from handlers.enums import Status

from .checks import check_golden, check_slack_blocks, walk
from .samples import DANA, STATES, base_view, claimed_view, pending_view, resolved_view


def actions_of(message: dict) -> list[dict]:
    return [b for b in message["blocks"] if b["type"] == "actions"][0]["elements"]


def action_ids(message: dict) -> list[str]:
    return [e["action_id"] for e in actions_of(message)]


def overflow_of(message: dict) -> list[str]:
    [menu] = [e for e in actions_of(message) if e["action_id"] == A.OVERFLOW]
    return [A.ButtonPayload.decode(o["value"]).action for o in menu["options"]]


@pytest.mark.parametrize("state", sorted(STATES))
def test_golden_and_valid(state):
    message = slack.render_alert(STATES[state]())
    check_slack_blocks(message["blocks"])
    check_golden(f"slack_{state}", message)


def test_every_status_renders_valid_blocks():
    for status in Status:
        check_slack_blocks(slack.render_alert(base_view(status=status))["blocks"])


def test_open_card_content():
    message = slack.render_alert(base_view())
    header = message["blocks"][0]
    assert header["type"] == "header"
    assert header["text"]["text"] == "🔴 ACME-142 · Disk almost full on db-1"
    fields = [f["text"] for f in message["blocks"][1]["fields"]]
    assert "Owner\nUnclaimed (partner side)" in fields
    assert "First seen\n2026-11-22 14:02 GMT" in fields
    assert message["text"].startswith("🔴 ACME-142")
    assert action_ids(message) == [A.CLAIM, A.ESCALATE, A.RESOLVE, A.SNOOZE, A.OVERFLOW]
    assert overflow_of(message) == [A.SIGNIFICANT, A.HISTORY]
    assert actions_of(message)[0]["style"] == "primary"


def test_button_values_are_payloads_for_this_alert_version():
    message = slack.render_alert(claimed_view())
    for element in actions_of(message):
        values = [o["value"] for o in element.get("options", [element])]
        for value in values:
            payload = A.ButtonPayload.decode(value)
            assert (payload.alert_id, payload.version) == ("ACME-142", 2)
        if element["type"] == "button":
            assert A.ButtonPayload.decode(element["value"]).action == element["action_id"]


def test_claimed_card_puts_release_significant_and_history_in_overflow():
    elements = actions_of(slack.render_alert(claimed_view()))
    overflow = elements[-1]
    assert overflow["type"] == "overflow" and overflow["action_id"] == A.OVERFLOW
    chosen = [A.ButtonPayload.decode(o["value"]).action for o in overflow["options"]]
    assert chosen == [A.RELEASE, A.SIGNIFICANT, A.HISTORY]
    assert [e["action_id"] for e in elements[:-1]] == [A.PROPOSE, A.ESCALATE, A.RESOLVE, A.SNOOZE]


def test_pending_card_shows_remediation_and_reject_is_danger():
    message = slack.render_alert(pending_view())
    text = json.dumps(message, ensure_ascii=False)
    assert "Fix proposed: Restart the service — by Dana Reyes (partner), needs an internal " \
        "approver" in text
    reject = [e for e in actions_of(message) if e["action_id"] == A.REJECT][0]
    assert reject["style"] == "danger"


def test_resolved_card_offers_only_reopen_significant_and_history():
    message = slack.render_alert(resolved_view())
    assert action_ids(message) == [A.REOPEN, A.OVERFLOW]
    assert overflow_of(message) == [A.SIGNIFICANT, A.HISTORY]
    assert not any(e.get("style") == "primary" for e in actions_of(message))


def test_allowed_filters_buttons_but_keeps_history():
    message = slack.render_alert(claimed_view(), allowed=frozenset({A.RESOLVE, A.RELEASE}))
    elements = actions_of(message)
    assert [e["action_id"] for e in elements] == [A.RESOLVE, A.OVERFLOW]
    message = slack.render_alert(claimed_view(), allowed=frozenset())
    assert action_ids(message) == [A.HISTORY]
    check_slack_blocks(message["blocks"])


def test_user_text_is_escaped_and_never_parsed_as_mentions():
    view = base_view(title="<!channel> & co", description="ping <!here> <@U123>")
    message = slack.render_alert(view)
    assert message["text"].startswith("🔴 ACME-142 · &lt;!channel&gt; &amp; co")
    mrkdwn = [n for n in walk(message["blocks"]) if n.get("type") == "mrkdwn"]
    text = " ".join(n["text"] for n in mrkdwn)
    assert "<!here>" not in text and "<@U123>" not in text and "ping" not in text
    assert all(n["verbatim"] is True for n in mrkdwn)
    # plain_text (header, description) is never parsed for mentions: it stays readable
    assert message["blocks"][0]["text"]["text"] == "🔴 ACME-142 · <!channel> & co"
    plain = [n["text"] for n in walk(message["blocks"]) if n.get("type") == "plain_text"]
    assert "ping <!here> <@U123>" in plain


def test_huge_alert_stays_within_block_kit_limits():
    view = base_view(
        title="T" * 400,
        description="<&>" * 5000,
        labels={f"label{i}": "v" * 300 for i in range(40)},
        links=tuple(f"https://example.com/{i}?a=1&b=2" for i in range(30)),
        service="s" * 3000,
        owner=DANA,
    )
    message = slack.render_alert(view)
    check_slack_blocks(message["blocks"])
    assert len(message["blocks"][0]["text"]["text"]) <= 150
    description = [b for b in message["blocks"] if b.get("text", {}).get("text", "")[:3] == "<&>"]
    assert description[0]["text"]["type"] == "plain_text"
    assert description[0]["text"]["text"].endswith("…")


def test_fit_never_splits_an_entity():
    out = slack.fit("a" * 10 + "&" * 10, 20)
    assert len(out) <= 20 and out.endswith("…")
    assert "&amp" not in out.replace("&amp;", "")
