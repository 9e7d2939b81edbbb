"""`tandem alert significant`: flagging a significant incident (NIS2) and recording its
reports from the command line, as the person named by --as, with refusals as one line."""

import asyncio

import pytest

from storage import queries
from storage.db import connect
from tests.bot.cli.conftest import DANA, GINA, LEE, _error, _two_alerts

NOT_FLAGGED = "{id} is not flagged as significant; flag it first (significant {id} REASON)."


def _events(url: str, short: str) -> list[tuple]:
    async def main() -> list[tuple]:
        db = connect(url)
        try:
            async with db.read() as session:
                events = await queries.history(session, "acme", short)
        finally:
            await db.dispose()
        return [(e.actor, e.actor_side, e.alert, e.details) for e in events
                if e.verb == "significant"]
    return asyncio.run(main())


def test_flag_then_record_a_report(cli):
    acme, _ = _two_alerts(cli.url)
    flagged = cli("alert", "significant", acme, "--as", DANA, "--reason", "payroll <b>copied</b>")
    assert flagged.exit_code == 0, flagged.output
    assert flagged.stdout.startswith(
        f"Dana Reyes (partner) flagged {acme} as a significant incident (NIS2); early warning "
        "due ")
    reported = cli("alert", "significant", acme, "--as", LEE, "--stage", "early-warning",
                   "--reason", "CSIRT ref 114")
    assert reported.exit_code == 0, reported.output
    assert reported.stdout.startswith(
        f"Lee Chen (internal) recorded the NIS2 early warning for {acme}; notification due ")
    due = reported.stdout.split("; ")[1].removesuffix(".\n")  # "notification due ..."
    shown = cli("alert", "show", acme).stdout.splitlines()
    assert [line for line in shown if line.startswith(("Significant", "Why"))] == [
        f"Significant incident (NIS2): {due}", "Why: payroll <b>copied</b>"]
    assert _events(cli.url, acme) == [
        (DANA, "partner", acme, {"stage": "flagged", "note": "payroll <b>copied</b>"}),
        (LEE, "internal", acme, {"stage": "early_warning", "note": "CSIRT ref 114"}),
    ]


@pytest.mark.parametrize(("args", "message"), [
    (("--as", LEE, "--stage", "notification"), NOT_FLAGGED),
    (("--as", LEE), "Flagging {id} as significant needs a reason: why it is a significant "
                    "incident under NIS2."),
    (("--as", LEE, "--stage", "interim"), "There is no NIS2 report called 'interim'; name one "
                                          "of: early-warning, notification, final-report."),
    (("--as", GINA, "--reason", "x"), "{id} is not available to you."),
])
def test_refusals_are_one_line(cli, args, message):
    acme, _ = _two_alerts(cli.url)
    _error(cli("alert", "significant", acme, *args), message.format(id=acme))
    assert _events(cli.url, acme) == []


def test_a_partner_may_not_record_a_report_nor_anyone_record_one_twice(cli):
    acme, _ = _two_alerts(cli.url)
    assert cli("alert", "significant", acme, "--as", LEE, "--reason", "ransomware").exit_code == 0
    _error(cli("alert", "significant", acme, "--as", DANA, "--stage", "early-warning"),
           "Only internal staff record NIS2 reports: Acme Ltd, not its partner, reports "
           "incidents to the authority, and Dana Reyes is on the partner side.")
    assert cli("alert", "significant", acme, "--as", LEE, "--stage", "final-report").exit_code == 0
    twice = cli("alert", "significant", acme, "--as", LEE, "--stage", "final_report")
    assert twice.exit_code == 1
    assert twice.stderr.startswith(
        f"error: The NIS2 final report for {acme} was already recorded at ")
    assert [d["stage"] for *_, d in _events(cli.url, acme)] == ["flagged", "final_report"]
