"""Source and person text is shown literally on every surface (cards/escape.py).

Adaptive Card markdown is modelled by markdown-it in CommonMark mode with GFM
strikethrough and tables, without indented code blocks (Teams renders none); a
rendered card must produce no link, emphasis, list, heading, HTML or `<at>` tag that
Tandem did not write, and its text must read back as the original. Slack text from a
source lands only in plain_text objects, which Slack parses for nothing.
"""

import re
from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from cards import actions as A
from cards import digest, escape, slack, slack_modals, teams, teams_forms
from cards import format as F
from handlers.enums import Severity, Status
from handlers.views import DigestAlert, DigestView, PersonView

from .checks import check_adaptive_card, check_slack_blocks, walk
from .samples import DANA, base_view, pending_view

MARKUP = ["[x](https://e.x)", "<!channel>", "<@U123>", "<at>Bob</at>", "**b**", "_i_", "*",
          "<https://x|y>", "&amp;", "&", "\n", "\n- ", "\n1. ", "# ", "> ", "`c`", "~~s~~",
          "\\", "![i](https://e.x/i.png)", "<b>", "---", "| a | b |", "  ", "=\n"]
_CHARS = st.characters(blacklist_categories=("Cs", "Cc"))
SOURCE = st.lists(st.one_of(st.sampled_from(MARKUP), st.text(_CHARS, max_size=4)),
                  max_size=10).map("".join)
PROPERTY = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

MD = MarkdownIt("commonmark").enable(["strikethrough", "table"]).disable("code")
RAW_ANGLE = re.compile(r"(?<!\\)(?:\\\\)*<")  # a `<` not escaped by a backslash
PLAIN_TOKENS = {"paragraph_open", "paragraph_close", "inline", "text", "softbreak",
                "hardbreak"}


def tokens(text: str) -> list:
    out = []
    for token in MD.parse(text):
        out.append(token)
        out.extend(token.children or [])
    return out


def shown(text: str) -> str:
    """What a markdown renderer shows for `text`, whitespace collapsed."""
    parts = [t.content if t.type == "text" else " " for t in tokens(text)
             if t.type in ("text", "softbreak", "hardbreak", "paragraph_open")]
    return " ".join("".join(parts).split())


def same_words(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def markdown_texts(card: dict) -> list[str]:
    """Every string Teams renders as markdown: TextBlocks and FactSet values."""
    found = []
    for node in walk(card):
        if node.get("type") == "TextBlock":
            found.append(node["text"])
        if node.get("type") == "FactSet":
            found.extend(fact["value"] for fact in node["facts"])
    return found


def assert_only_plain_markdown(card: dict) -> None:
    for text in markdown_texts(card):
        made = {t.type for t in tokens(text)} - PLAIN_TOKENS
        assert not made, f"{text!r} renders as {made}"
        assert not RAW_ANGLE.search(text), f"{text!r} has a raw < (Teams reads <at> tags)"


def assert_shown_literally(card: dict, original: str) -> None:
    """Some markdown text of `card` reads back as `original`, exactly and as rendered."""
    texts = markdown_texts(card)
    assert original in [escape.unmarkdown(t) for t in texts]
    assert any(same_words(shown(t), original) for t in texts)


@given(title=SOURCE, description=SOURCE, label=SOURCE, note=SOURCE, owner=SOURCE)
@PROPERTY
def test_teams_card_shows_source_text_literally(title, description, label, note, owner):
    view = pending_view()
    rem = replace(view.remediation, note=note or "n", proposed_by=replace(DANA, name=owner))
    view = replace(view, title=title, description=description, labels={"k": label},
                   links=(), remediation=rem, owner=replace(DANA, name=owner))
    card = teams.render_alert(view)
    assert_only_plain_markdown(card)
    assert_shown_literally(card, F.headline(view))
    if F.description(view):
        assert_shown_literally(card, F.description(view))
    assert_shown_literally(card, F.labels_text(view, sep=" · "))
    assert_shown_literally(card, F.truncate(f"Note: {rem.note}", F.FIELD_LIMIT * 2))
    assert_shown_literally(card, F.truncate(F.owner_text(view), F.FIELD_LIMIT))


@given(title=SOURCE)
@PROPERTY
def test_teams_form_shows_the_title_literally(title):
    view = base_view(title=title)
    card = teams_forms.render_form(view, A.RESOLVE)
    assert_only_plain_markdown(card)
    assert_shown_literally(card, F.headline(view))


@given(title=SOURCE, owner=SOURCE, tenant=SOURCE)
@PROPERTY
def test_teams_digest_shows_titles_and_names_literally(title, owner, tenant):
    item = DigestAlert("ACME-1", title, Severity.HIGH, Status.CLAIMED,
                       datetime(2026, 11, 20, tzinfo=UTC), PersonView("o@x", owner, DANA.side))
    view = DigestView("acme", tenant, "UTC", datetime(2026, 11, 19, tzinfo=UTC),
                      datetime(2026, 11, 20, tzinfo=UTC), 1, 0, 1, 0, oldest_open=(item,))
    card = digest.render_teams(view)
    for text in markdown_texts(card):  # the digest's own "- " list, and nothing else
        made = {t.type for t in tokens(text)} - PLAIN_TOKENS
        assert made <= {"bullet_list_open", "bullet_list_close", "list_item_open",
                        "list_item_close"}, f"{text!r} renders as {made}"
    line = digest.alert_line(item, view.timezone)
    assert f"- {escape.markdown(line)}" in markdown_texts(card)
    assert_shown_literally(card, digest.title(view))


def test_a_markdown_link_in_a_title_is_no_link_in_teams():
    view = base_view(title="[click me](https://evil.example/x)")
    card = teams.render_alert(view)
    check_adaptive_card(card)
    assert card["body"][0]["text"] == "🔴 ACME-142 · \\[click me\\](https://evil.example/x)"
    hrefs = [t.attrs.get("href") for text in markdown_texts(card) for t in tokens(text)
             if t.type == "link_open"]
    assert hrefs == ["https://grafana.acme.example/d/disk?var-host=db-1&from=now-1h"]


def test_tandems_own_links_survive_hostile_urls():
    view = base_view(links=("https://e.x/a b)(c)|<d>]",))
    [hrefs] = [[t.attrs["href"] for t in tokens(text) if t.type == "link_open"]
               for text in markdown_texts(teams.render_alert(view)) if "e.x" in text]
    assert hrefs == ["https://e.x/a%20b%29%28c%29%7C%3Cd%3E%5D"]  # markdown-it encodes ]
    [links] = [b for b in slack.render_alert(view)["blocks"] if "e.x" in str(b)]
    assert links["elements"][0]["text"] == "<https://e.x/a%20b%29%28c%29%7C%3Cd%3E]|e.x>"


def test_escape_functions_invert():
    for text in ["[a](b) *c* _d_ <at>e</at> &amp; \\", "- x\n1. y\n  + z\n===", ""]:
        assert escape.unmarkdown(escape.markdown(text)) == text
        assert escape.unslack(escape.slack(text)) == text
        assert same_words(shown(escape.markdown(text)), text)
    assert escape.xml("<at>&</at>") == "&lt;at&gt;&amp;&lt;/at&gt;"


def plain_texts(blocks: list[dict]) -> list[str]:
    return [n["text"] for n in walk(blocks) if n.get("type") == "plain_text"]


SENTINEL = "QZX"  # marks source text, so a test can see where it landed


@given(title=SOURCE, description=SOURCE, label=SOURCE, owner=SOURCE)
@PROPERTY
def test_slack_card_puts_source_text_only_in_plain_text(title, description, label, owner):
    title, description, label, owner = (SENTINEL + s for s in (title, description, label, owner))
    view = replace(pending_view(), title=title, description=description, labels={"k": label},
                   links=(), owner=replace(DANA, name=owner))
    message = slack.render_alert(view)
    check_slack_blocks(message["blocks"])
    for node in walk(message["blocks"]):
        if node.get("type") == "mrkdwn":
            assert SENTINEL not in node["text"]
    texts = plain_texts(message["blocks"])
    assert F.truncate(F.headline(view), slack.HEADER_LIMIT) in texts
    assert F.description(view) in texts
    assert F.labels_text(view, sep=" · ") in texts
    # the notification fallback is mrkdwn-parsed: no control character left raw
    assert "<" not in message["text"] and ">" not in message["text"]
    summary = escape.unslack(message["text"])
    assert summary == F.summary_line(view) or summary.endswith("…")


@given(title=SOURCE)
@PROPERTY
def test_slack_modal_shows_the_title_as_plain_text(title):
    view = base_view(title=SENTINEL + title)
    modal = slack_modals.render_modal(view, A.ESCALATE)
    assert modal["blocks"][0]["text"] == slack.plain(F.headline(view))
    assert all(SENTINEL not in n["text"] for n in walk(modal) if n.get("type") == "mrkdwn")
