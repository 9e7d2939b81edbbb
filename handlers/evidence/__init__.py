"""Evidence: the monthly report, signed exports and audit checkpoints."""

from handlers.evidence.delivery import MakePdf
from handlers.evidence.delivery import catch_up as catch_up_reports
from handlers.evidence.delivery import send_due as send_due_reports
from handlers.evidence.delivery import send_time as report_send_time

__all__ = ["MakePdf", "catch_up_reports", "report_send_time", "send_due_reports"]
