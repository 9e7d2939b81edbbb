"""What a fix shows that came from a source, a person or a platform (its bound target, a
reason, the platform's words, an external id) stays literal on every surface."""

from dataclasses import replace

from hypothesis import given

from cards import actions as A
from cards import escape, slack, slack_modals, teams, teams_forms, text
from cards.fixes import form_about, remediation_lines

from .checks import check_adaptive_card, check_slack_blocks, walk
from .samples import fix_failed, fix_view, run
from .test_escape import (
    PROPERTY,
    SENTINEL,
    SOURCE,
    assert_only_plain_markdown,
    assert_shown_literally,
    markdown_texts,
    plain_texts,
)

HOSTILE = "<script>alert(1)</script> *bold* _it_ [x](https://evil.example) <!channel> & co"


def hostile_fix(target: str, reason: str, detail: str, external_id: str):
    """A failed fix whose every outside string is hostile."""
    view = fix_view("failed", run("failed", detail=detail, external_id=external_id),
                    target={"user": target}, described=f"Revoke all sign-in sessions of {target}",
                    decision_reason=reason, note=reason)
    return replace(view, labels={"user": target}, links=())


def test_a_target_with_markup_is_shown_literally_on_slack():
    view = hostile_fix(HOSTILE, HOSTILE, HOSTILE, HOSTILE)
    message = slack.render_alert(view)
    check_slack_blocks(message["blocks"])
    [fix] = [b for b in message["blocks"] if b.get("block_id") == "alert.remediation"]
    assert fix["text"]["type"] == "plain_text" and fix["text"]["emoji"] is False
    assert fix["text"]["text"].startswith(f"Fix proposed: Revoke all sign-in sessions of {HOSTILE}")
    assert f"Fix failed: {HOSTILE}" in fix["text"]["text"]
    for node in walk(message["blocks"]):
        if node.get("type") == "mrkdwn":
            assert "<script>" not in node["text"] and "*bold*" not in node["text"]


def test_a_target_with_markup_is_shown_literally_on_teams():
    view = hostile_fix(HOSTILE, HOSTILE, HOSTILE, HOSTILE)
    card = teams.render_alert(view)
    check_adaptive_card(card)
    assert_only_plain_markdown(card)
    heading, lines = remediation_lines(view.remediation, view.timezone)
    for line in (heading, *lines):
        assert_shown_literally(card, line)
    assert escape.markdown(f"Fix failed: {HOSTILE}") in markdown_texts(card)


def test_fix_forms_show_the_target_literally():
    view = hostile_fix(HOSTILE, "r", "d", "")
    modal = slack_modals.render_modal(view, A.DONE)
    assert {"type": "section", "text": slack.plain(form_about(view, A.DONE))} in modal["blocks"]
    assert all("<script>" not in n["text"] for n in walk(modal) if n.get("type") == "mrkdwn")
    form = teams_forms.render_form(view, A.DONE)
    check_adaptive_card(form)
    assert_only_plain_markdown(form)
    assert_shown_literally(form, form_about(view, A.DONE))


def test_the_cli_status_shows_the_platforms_words_whole():
    """Plain text for a terminal shows what the card shows, unescaped and uncut."""
    view = hostile_fix(HOSTILE, HOSTILE, HOSTILE, "7b1c")
    shown = text.render_remediation(view)
    assert f"  Detail: {HOSTILE}" in shown.splitlines()
    assert "  External id: 7b1c" in shown.splitlines()


@given(target=SOURCE, reason=SOURCE, detail=SOURCE)
@PROPERTY
def test_fix_strings_stay_literal_on_both_surfaces(target, reason, detail):
    view = hostile_fix(SENTINEL + target, SENTINEL + reason, SENTINEL + detail, "ext-1")
    message = slack.render_alert(view)
    check_slack_blocks(message["blocks"])
    assert all(SENTINEL not in n["text"] for n in walk(message["blocks"])
               if n.get("type") == "mrkdwn")
    heading, lines = remediation_lines(view.remediation, view.timezone)
    assert "\n".join([heading, *lines]) in plain_texts(message["blocks"])
    card = teams.render_alert(view)
    assert_only_plain_markdown(card)
    for line in (heading, *lines):
        assert_shown_literally(card, line)


def test_a_failed_fix_without_outside_text_reads_plainly():
    heading, lines = remediation_lines(fix_failed().remediation)
    assert "<" not in heading and lines[0] == "Approved by Sam Okafor (internal)"
