"""Flagging a significant incident (NIS2) with the card's Action.Execute and its form, and
recording its reports by @mentioning Tandem, over real HTTP to the Teams endpoint
(SQLite and PostgreSQL): the card shows the next deadline and why, escaped, and the
audit log holds exactly what the monthly report reads."""

from cards import actions as A
from cards.escape import markdown, unmarkdown
from cards.format import format_time
from handlers.people.operator import Operator
from handlers.reads import scoped
from storage import queries
from tests.cards.checks import check_adaptive_card
from tests.conftest import new_alert

from .conftest import BOT
from .test_fix_actions import inputs, texts
from .test_invoke import DANA_HOME, notice, verbs

WHY = "Customer <records> & *card data* exposed [here](https://evil.example) <at>Sam</at>"
MENTION = {"type": "mention", "text": "<at>Tandem</at>", "mentioned": {"id": BOT, "name": "Tandem"}}


def _say(bench, text: str, aad: str = "aad-sam") -> dict:
    return bench.activity("message", aad, text=f"<at>Tandem</at> {text}", entities=[MENTION])


async def _answer(bench, text: str, aad: str = "aad-sam") -> str:
    status, _ = await bench.post(_say(bench, text, aad))
    assert status == 200
    return unmarkdown(bench.connector.sent("reply")[-1]["body"]["text"])


def _dana(bench) -> None:
    """Dana (partner) signs in from her own Microsoft tenant; Graph gives her address."""
    bench.identity.users[DANA_HOME] = {"id": DANA_HOME, "displayName": "Dana Reyes",
                                       "mail": "dana@partner.example",
                                       "userPrincipalName": "dana_partner#EXT#@acme.example"}


def _significant(card: dict) -> list[str]:
    [box] = [b for b in card["body"] if b["type"] == "Container" and b["style"] == "attention"
             and b["items"][0]["text"].startswith("Significant incident")]
    return [item["text"] for item in box["items"]]


async def _events(db, short: str) -> list:
    async with db.read() as session:
        events = await queries.history(session, "acme", short)
    return [(e.actor, e.actor_side, e.alert, e.details) for e in events if e.verb == "significant"]


async def test_the_form_flags_it_and_a_mention_records_a_report(teams, db, cfg):
    short = await new_alert(db, cfg)
    card = (await teams.post(teams.click(short, 1, A.REFRESH)))[1]["value"]
    [button] = [a for a in card["actions"] if a["verb"] == A.SIGNIFICANT]
    assert (button["title"], button["mode"]) == ("Significant", "secondary")
    form = (await teams.post(teams.click(short, 1, A.SIGNIFICANT)))[1]["value"]
    check_adaptive_card(form)
    assert inputs(form) == ["note"] and form["actions"][0]["data"]["form"] == A.SIGNIFICANT
    assert "the final report within a month of the notification" in texts(form)
    empty = (await teams.post(teams.click(short, 1, A.SIGNIFICANT, form=A.SIGNIFICANT,
                                          note=" ")))[1]["value"]
    assert notice(empty) == (f"Flagging {short} as significant needs a reason: why it is a "
                             "significant incident under NIS2.") and inputs(empty) == ["note"]

    status, body = await teams.post(teams.click(short, 1, A.SIGNIFICANT, form=A.SIGNIFICANT,
                                                note=WHY))
    assert status == 200
    card = body["value"]
    check_adaptive_card(card)
    view = await scoped.show_alert(db, cfg, Operator(), short)
    due = format_time(view.significant.next_due, "Europe/London")
    assert _significant(card) == [f"Significant incident (NIS2): early warning due {due}",
                                  f"Why: {markdown(WHY)}"]
    assert "<records>" not in str(card) and A.SIGNIFICANT not in verbs(card)

    answer = await _answer(teams, f"significant {short} early-warning CSIRT ref *114*")
    assert answer.startswith(f"Sam Okafor (internal) recorded the NIS2 early warning for "
                             f"{short}; notification due ")
    card = (await teams.post(teams.click(short, 1, A.REFRESH)))[1]["value"]
    assert _significant(card)[0].startswith("Significant incident (NIS2): notification due ")
    assert await _events(db, short) == [
        ("sam@acme.example", "internal", short, {"stage": "flagged", "note": WHY}),
        ("sam@acme.example", "internal", short,
         {"stage": "early_warning", "note": "CSIRT ref *114*"}),
    ]


async def test_partners_strangers_and_repeats_are_refused(teams, db, cfg):
    _dana(teams)
    short = await new_alert(db, cfg)
    assert (await _answer(teams, f"significant {short} notification", DANA_HOME)) == (
        "Only internal staff record NIS2 reports: Acme Ltd, not its partner, reports incidents "
        "to the authority, and Dana Reyes is on the partner side.")
    assert (await _answer(teams, f"significant {short} notification")) == (
        f"{short} is not flagged as significant; flag it first (significant {short} REASON).")
    for form in ({}, {"form": A.SIGNIFICANT, "note": "x"}):  # the button, then its form
        gina = teams.click(short, 1, A.SIGNIFICANT, aad="aad-gina", **form)
        gina["from"]["userPrincipalName"] = "gina@globex.example"
        refused = (await teams.post(gina))[1]["value"]
        said = notice(refused) if form == {} else unmarkdown(refused)
        assert said == f"{short} is not available to you."
    flagged = (await teams.post(teams.click(short, 1, A.SIGNIFICANT, aad=DANA_HOME,
                                            form=A.SIGNIFICANT, note="VIP mailbox read")))[1]
    assert _significant(flagged["value"])[1] == "Why: VIP mailbox read"
    again = (await teams.post(teams.click(short, 1, A.SIGNIFICANT, form=A.SIGNIFICANT,
                                          note="again")))[1]["value"]
    assert notice(again).startswith(f"{short} was already flagged as significant at ")
    assert await _events(db, short) == [("dana@partner.example", "partner", short,
                                         {"stage": "flagged", "note": "VIP mailbox read"})]
