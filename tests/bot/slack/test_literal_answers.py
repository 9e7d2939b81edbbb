"""Answers shown to one person (slash commands through response_url, ephemeral messages)
quote titles, notes and what people typed literally: over signed HTTP requests to the
whole program, what reaches the Slack fake is one rich text element of plain text, which
Slack parses for no mrkdwn, mention, link or emoji (SQLite and PostgreSQL)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cards import actions as A
from cards.escape import printable
from fakes.slack.payloads import LEE, SAM
from handlers.enums import Verb
from tests.bot.conftest import said
from tests.cards.test_escape import SOURCE
from tests.conftest import new_alert
from tests.handlers.escalation.helpers import act, at

TITLE = "*boom* <!channel> [x](https://evil.example)"
NOTE = "`t` ```x``` _y_ ~z~ <@U0SAM> <https://evil.example|here> :fire:"
HOSTILE = st.lists(st.one_of(SOURCE, st.sampled_from(["```", "`", "<!here>", ":fire:"])),
                   min_size=1, max_size=3).map("".join).filter(str.strip)
THROUGH_HTTP = settings(max_examples=15, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


async def _typed(stack, text: str, who=LEE) -> dict:
    count = len(stack.fake.responses)
    assert await stack.slash(who, text) == 200
    await stack.fake.wait_for(lambda: len(stack.fake.responses) > count)
    return stack.fake.responses[count]


async def test_list_show_and_history_show_a_hostile_title_and_note_literally(stack):
    db, cfg = stack.runtime.db, stack.runtime.cfg
    short = await new_alert(db, cfg, title=TITLE)
    await act(db, cfg, Verb.COMMENT, short, "lee@acme.example", at(1), text=NOTE)
    listed = said(await _typed(stack, "list"))
    assert f"{short} · {TITLE} [high]" in listed and "\n" not in listed
    shown = said(await _typed(stack, f"show {short}"))
    assert shown.splitlines()[0] == f"🟠 {short} · {TITLE} [high] — Open, Unclaimed"
    history = said(await _typed(stack, f"history {short}"))
    assert history.splitlines()[-1].endswith(f"  comment  open -> open  text={NOTE}")

    await stack.click(SAM, short, 2, A.HISTORY, overflow=True)
    await stack.fake.wait_for(lambda: stack.fake.ephemeral)
    assert said(stack.fake.ephemeral[0]) == history  # the button shows the same answer


@given(title=HOSTILE, typed=HOSTILE)
@THROUGH_HTTP
async def test_any_title_or_typed_id_reaches_slack_as_plain_text(stack, title, typed):
    short = await new_alert(stack.runtime.db, stack.runtime.cfg, title=title)
    shown = said(await _typed(stack, f"show {short}"))
    # literally, on its one line: a control character (a newline) is shown escaped
    assert shown.startswith(f"🟠 {short} · {printable(title)} [high]")
    token = "".join(typed.split()).upper() or "X"  # one word, as the parser reads it
    refused = said(await _typed(stack, f"show {token}"))
    assert refused == f"{token[:40]} is not available to you."


async def test_a_forged_alert_id_is_answered_as_plain_text(stack):
    """A button value is only a pointer; a crafted one with markup is quoted as text."""
    forged = "<!channel> *x* `y`"
    await stack.click(SAM, forged, 1, A.CLAIM)
    await stack.fake.wait_for(lambda: stack.fake.ephemeral)
    assert said(stack.fake.ephemeral[0]) == f"{forged.upper()} is not available to you."
