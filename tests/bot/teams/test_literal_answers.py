"""Answers in Teams (typed commands in a 1:1 chat, the History button's invoke answer)
quote titles, notes and what people typed literally: what reaches the Bot Connector fake
is markdown that makes no emphasis, link, list, code, HTML or `<at>` tag (markdown-it as
Teams' model, tests/cards/test_escape.py) and reads back as the plain answer, one line a
paragraph (SQLite and PostgreSQL)."""

from hypothesis import HealthCheck, given, settings

from cards import actions as A
from cards.escape import printable, unmarkdown
from handlers.enums import Verb
from tests.bot.slack.test_literal_answers import HOSTILE, NOTE, TITLE
from tests.cards.test_escape import PLAIN_TOKENS, RAW_ANGLE, same_words, shown, tokens
from tests.conftest import new_alert
from tests.handlers.escalation.helpers import act, at

from .conftest import TENANT

THROUGH_HTTP = settings(max_examples=15, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def literal(text: str) -> str:
    """The answer a Teams client shows for `text`, checking it renders no markup."""
    made = {t.type for t in tokens(text)} - PLAIN_TOKENS
    assert not made, f"{text!r} renders as {made}"
    assert not RAW_ANGLE.search(text), f"{text!r} has a raw < (Teams reads <at> tags)"
    paragraphs = text.split("\n\n")
    lines = [unmarkdown(p) for p in paragraphs]
    assert all(same_words(shown(p), line) for p, line in zip(paragraphs, lines, strict=True))
    return "\n".join(lines)


async def _typed(bench, text: str) -> str:
    """Sam's answer to `text` typed in his 1:1 chat with Tandem."""
    count = len(bench.connector.sent("reply"))
    personal = {"id": "a:1on1-aad-sam", "conversationType": "personal", "tenantId": TENANT}
    status, _ = await bench.post(bench.activity("message", text=text, conversation=personal,
                                                channelData={"tenant": {"id": TENANT}}))
    assert status == 200
    [reply] = bench.connector.sent("reply")[count:]
    assert reply["body"]["textFormat"] == "markdown"
    return literal(reply["body"]["text"])


async def test_list_show_and_history_show_a_hostile_title_and_note_literally(teams, db, cfg):
    short = await new_alert(db, cfg, title=TITLE)
    await act(db, cfg, Verb.COMMENT, short, "lee@acme.example", at(1), text=NOTE)
    listed = await _typed(teams, "list")
    assert f"{short} · {TITLE} [high]" in listed and "\n" not in listed
    assert (await _typed(teams, f"show {short}")).splitlines()[0] == (
        f"🟠 {short} · {TITLE} [high] — Open, Unclaimed")
    history = await _typed(teams, f"history {short}")
    assert history.startswith(f"History of {short}\n#1  ")
    assert history.splitlines()[-1].endswith(f"  comment  open -> open  text={NOTE}")

    _, body = await teams.post(teams.click(short, 1, A.HISTORY))
    assert literal(body["value"]) == history  # the button shows the same answer


@given(title=HOSTILE, typed=HOSTILE)
@THROUGH_HTTP
async def test_any_title_or_typed_id_reaches_teams_as_literal_text(teams, db, cfg, title,
                                                                     typed):
    short = await new_alert(db, cfg, title=title)
    # literally, on its one line: a control character (a newline) is shown escaped
    assert (await _typed(teams, f"show {short}")).startswith(
        f"🟠 {short} · {printable(title)} [high]")
    refused = await _typed(teams, f"show X{''.join(typed.split())}")
    # Teams markup in what was typed is dropped before parsing (command_text)
    assert refused.endswith((" is not available to you.", "Usage: show ID"))


async def test_a_forged_alert_id_is_answered_literally(teams):
    """A button payload is only a pointer; a crafted one with markup is quoted as text."""
    forged = "*x* [y](https://e.x) <at>Sam</at>"
    _, claimed = await teams.post(teams.click(forged, 1, A.CLAIM))
    assert literal(claimed["value"]) == f"{forged.upper()[:40]} is not available to you."
    _, refreshed = await teams.post(teams.click(forged, 1, A.REFRESH))
    [notice] = refreshed["value"]["body"]
    assert literal(notice["text"]) == f"{forged.upper()[:40]} is not available to you."
