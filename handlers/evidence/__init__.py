"""Evidence: the monthly report, signed exports and audit checkpoints."""

from handlers.evidence.build import build as build_report
from handlers.evidence.checkpoint_line import Checkpoint, CheckpointPost
from handlers.evidence.checkpoint_line import from_payload as checkpoint_from_payload
from handlers.evidence.checkpoint_line import parse as parse_checkpoints
from handlers.evidence.checkpoints import Checked
from handlers.evidence.checkpoints import catch_up as checkpoints_catch_up
from handlers.evidence.checkpoints import make as make_checkpoint
from handlers.evidence.checkpoints import send_time as checkpoint_time
from handlers.evidence.checkpoints import summary as verified_summary
from handlers.evidence.checkpoints import verify as verify_audit
from handlers.evidence.delivery import MakePdf
from handlers.evidence.delivery import catch_up as catch_up_reports
from handlers.evidence.delivery import send_due as send_due_reports
from handlers.evidence.delivery import send_time as report_send_time
from handlers.evidence.exports import Extract, Head
from handlers.evidence.exports import Rejected as ExportRejected
from handlers.evidence.exports import check as check_export
from handlers.evidence.exports import compare as compare_export
from handlers.evidence.exports import sign as sign_export
from handlers.evidence.exports import summary as export_summary
from handlers.evidence.month import NoReport, parse_month
from handlers.evidence.payload import to_json as report_json
from handlers.evidence.signing import KeyProblem, Signer, Verifier, private_key, public_key
from handlers.evidence.signing import generate as generate_key
from handlers.evidence.view import ReportView

__all__ = ["Checked", "Checkpoint", "CheckpointPost", "ExportRejected", "Extract",
           "Head", "KeyProblem", "MakePdf", "NoReport", "ReportView", "Signer",
           "Verifier", "build_report", "catch_up_reports", "check_export",
           "checkpoint_from_payload", "checkpoint_time", "checkpoints_catch_up",
           "compare_export", "export_summary", "generate_key", "make_checkpoint",
           "parse_checkpoints", "parse_month", "private_key", "public_key",
           "report_json", "report_send_time", "send_due_reports", "sign_export",
           "verified_summary", "verify_audit"]
