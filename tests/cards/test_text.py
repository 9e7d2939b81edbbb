from dataclasses import replace
from datetime import UTC, datetime

from cards import escape, text
from handlers.enums import Status
from handlers.views import HistoryEntry

from .samples import acknowledged_view, base_view, pending_view, resolved_view


def test_render_alert_lines():
    out = text.render_alert(pending_view())
    lines = out.splitlines()
    assert lines[0] == (
        "🟠 ACME-142 · Disk almost full on db-1 [high] — Fix awaiting approval, "
        "Dana Reyes (partner)"
    )
    assert "First seen: 2026-11-22 14:02 GMT" in lines
    assert "Labels: instance=db-1:9100, team=dba" in lines
    assert ("Fix proposed: Restart the service — by Dana Reyes (partner), needs an internal "
            "approver") in lines
    assert "  Note: Restart clears the WAL backlog" in lines
    assert lines[-1] == "Filesystem /var/lib/postgresql is 97% full & growing <fast>."


def test_resolved_alert_hides_remediation_and_empty_parts():
    out = text.render_alert(resolved_view())
    assert "Status: Resolved" in out
    bare = text.render_alert(base_view(description="", labels={}, links=()))
    assert "Labels" not in bare and "Link" not in bare and not bare.endswith("\n")


def test_acknowledged_at_source_line_after_the_fields_until_resolved():
    lines = text.render_alert(acknowledged_view()).splitlines()
    line = ("✋ Acknowledged at source 2026-11-22 14:20 GMT · escalation paused until it "
            "triggers again")
    assert lines[lines.index("Service: postgres") + 1] == line
    assert "Status: Open" in lines and "Owner: Unclaimed (partner side)" in lines
    resolved = text.render_alert(replace(acknowledged_view(), status=Status.RESOLVED))
    assert "Acknowledged at source" not in resolved
    assert "Acknowledged at source" not in text.render_alert(base_view())


def test_render_history():
    def entry(seq, minute, actor, side, verb, states, details):
        at = datetime(2026, 7, 1, 13, minute, tzinfo=UTC)
        return HistoryEntry(seq, at, actor, side, verb, *states, details)

    entries = [
        entry(1, 2, "Prometheus", None, "ingest", (None, "open"), {}),
        entry(2, 5, "Dana Reyes", "partner", "claim", ("open", "claimed"), {"via": "slack"}),
        entry(3, 9, "Dana Reyes", "partner", "escalate", ("claimed", "claimed"),
              {"reason": "needs\nDBA", "level": 2, "x": "y" * 300}),
    ]  # fmt: skip
    lines = text.render_history("ACME-142", entries, "Europe/London").splitlines()
    assert lines[0] == "History of ACME-142"
    assert lines[1] == "#1  2026-07-01 14:02 BST  Prometheus  ingest  - -> open"
    assert lines[2] == (
        "#2  2026-07-01 14:05 BST  Dana Reyes (partner)  claim  open -> claimed  via=slack"
    )
    assert "level=2, reason=needs DBA, x=yyy" in lines[3]
    assert lines[3].endswith("…")


def test_render_history_empty():
    assert text.render_history("ACME-9", [], "UTC") == "No history for ACME-9."


def test_control_characters_from_a_source_stay_on_their_line_and_inert():
    """A title, a label and a history note with a newline, a carriage return and an
    escape sequence: each plain-text line shows them escaped; a description keeps its
    own line breaks, its other control characters escaped too."""
    view = base_view(title="Disk\nACME-9 · forged", labels={"team": "db\r\x1b[2Kops"},
                     description="line one\nline \x1b[31mtwo\x07")
    assert text.summary(view).startswith("🔴 ACME-142 · Disk\\nACME-9 · forged [critical]")
    lines = text.render_alert(view).splitlines()
    assert lines[0] == text.summary(view)
    assert "Labels: team=db\\r\\x1b[2Kops" in lines
    assert lines[-2:] == ["line one", "line \\x1b[31mtwo\\x07"]
    entry = HistoryEntry(seq=7, at=datetime(2026, 11, 22, 14, 2, tzinfo=UTC), actor="x",
                         actor_side=None, verb="note", from_status=None, to_status=None,
                         details={"note": "ok\x1b]0;owned\x07"})
    history = text.render_history("ACME-142", [entry], "Europe/London")
    assert history.splitlines()[1].endswith("note=ok\\x1b]0;owned\\x07")


def test_terminal_escapes_each_line_and_keeps_tabs():
    assert escape.terminal("a\tb\x1b[1m\nc\r") == "a\tb\\x1b[1m\nc\\r"
