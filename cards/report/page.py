"""The report as one self-contained HTML page: the Jinja2 template, with autoescape,
filled from the view, the charts inline as SVG."""

from dataclasses import dataclass
from functools import cache, partial

import jinja2

from cards.report import charts, select, tallies
from cards.report import words as W
from handlers.evidence.view import Checkpoint, ReportView, Times


@dataclass(frozen=True)
class SideTimes:
    """One row of the summary's table: a side's MTTA and MTTR."""

    side: str
    mtta: Times | None
    mttr: Times | None


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cards.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        duration=W.duration, side=W.side, person=W.person, outcome=W.outcome,
        clock_state=W.clock_state, clock_rule=W.clock_rule, hours=W.hours, share=W.share,
        number=W.number, noun=W.noun, clocks=W.clocks, truncated=W.truncate,
    )
    return env


def render(view: ReportView) -> str:
    zone = W.zone(view.timezone)
    template = environment().get_template("report.html.j2")
    return template.render(
        view=view,
        month=W.month_name(view.month),
        zone=zone.key,
        when=partial(W.when, tz=zone),
        since=W.since,
        created=W.w3c(view.generated_at),
        times=side_times(view),
        breached=sum(b.breached for b in view.sla_breaches),
        on_call_sides=on_call_totals(view),
        checkpoints=checkpoints(view),
        charts=charts.charts(view),
        **sections(view),
    )


def sections(view: ReportView) -> dict[str, object]:
    """What the long sections show: their tallies over every row, and the rows listed."""
    return {
        "json_command": f"tandem report --tenant {view.tenant_id} --month {view.month} "
                        "--format json",
        "escalations": select.escalations(view),
        "levels": tallies.escalation_levels(view),
        "paged": tallies.paged(view),
        "fixes": select.remediations(view),
        "outcomes": tallies.fix_outcomes(view),
        "containment": tallies.containment(view),
        "quiet": select.quiet(view),
        "quiet_kinds": tallies.quiet_kinds(view),
        "quiet_people": tallies.quiet_by_person(view),
        "incidents": select.incidents(view),
        "incident_counts": tallies.incident_counts(view),
        "clocks": tallies.clocks(view),
        "timeline": select.timeline,
    }


def side_times(view: ReportView) -> list[SideTimes]:
    """MTTA and MTTR paired by side, in the view's order."""
    sides = [t.side for t in view.mtta] + [t.side for t in view.mttr]
    mtta = {t.side: t for t in view.mtta}
    mttr = {t.side: t for t in view.mttr}
    return [SideTimes(side, mtta.get(side), mttr.get(side)) for side in dict.fromkeys(sides)]


def on_call_totals(view: ReportView) -> list[tuple[str, float]]:
    totals: dict[str, float] = {}
    for row in view.on_call:
        totals[row.side] = totals.get(row.side, 0.0) + row.hours
    return list(totals.items())


def checkpoints(view: ReportView) -> list[tuple[str, Checkpoint]]:
    """The month's first and last checkpoint, one row when they are the same one."""
    first, last = view.first_checkpoint, view.last_checkpoint
    if first is not None and first == last:
        return [("First and last", first)]
    rows = [("First", first), ("Last", last)]
    return [(label, point) for label, point in rows if point is not None]
