"""Answers to one person (cards.messages.slack_answer / teams_answer): valid Block Kit rich
text holding the text as it is, and Teams markdown that reads back as the text."""

from hypothesis import given
from hypothesis import strategies as st

from cards import escape
from cards.messages import slack_answer, teams_answer

from .checks import check_slack_blocks
from .test_escape import PLAIN_TOKENS, PROPERTY, RAW_ANGLE, SOURCE, tokens

LINES = st.lists(SOURCE, min_size=1, max_size=4).map("\n".join).filter(str.strip)


@given(text=LINES)
@PROPERTY
def test_slack_answer_is_one_rich_text_element_of_the_text(text):
    message = slack_answer(text)
    check_slack_blocks(message["blocks"])
    [block] = message["blocks"]
    [element] = block["elements"]
    assert element["elements"] == [{"type": "text", "text": text}]
    assert element["type"] == ("rich_text_preformatted" if "\n" in text else "rich_text_section")
    assert escape.unslack(message["text"]) == text and "<" not in message["text"]


@given(text=LINES)
@PROPERTY
def test_teams_answer_makes_no_markup_and_keeps_its_lines(text):
    answer = teams_answer(text)
    assert {t.type for t in tokens(answer)} <= PLAIN_TOKENS
    assert not RAW_ANGLE.search(answer)
    paragraphs = answer.split("\n\n")
    assert "\n".join(escape.unmarkdown(p) for p in paragraphs) == text
    assert all("\n" not in p for p in paragraphs)


def test_a_history_keeps_one_entry_a_line():
    history = "History of ACME-1\n#1  14:02  Sam  comment  text=*x* [y](https://e.x)"
    assert teams_answer(history) == (
        "History of ACME-1\n\n\\#1  14:02  Sam  comment  text=\\*x\\* \\[y\\](https://e.x)")
    assert slack_answer(history)["blocks"][0]["elements"][0]["type"] == "rich_text_preformatted"
