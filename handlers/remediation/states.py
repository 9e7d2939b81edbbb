"""Which fix may be retried or marked done by hand, in sentences for the refused."""

from handlers.config.fixes import Kind
from handlers.config.schema import TandemConfig
from handlers.enums import Verb
from handlers.views import AlertView


def is_manual(cfg: TandemConfig, action_id: str) -> bool:
    fix = cfg.remediation(action_id)
    return fix is not None and fix.action is Kind.MANUAL


def fix_refusal(verb: Verb, view: AlertView) -> str | None:
    """Why `verb` does not apply to the alert's fix as it stands (RETRY: only a failed
    fix; DONE: a failed fix, or an approved one carried out by hand), or None."""
    if verb not in (Verb.RETRY, Verb.DONE):
        return None
    fix = view.remediation
    status = fix.status if fix else "missing"
    if verb is Verb.RETRY and not (fix and fix.can_retry):
        return (f"The fix for {view.short_id} has not failed ({status}); "
                "only a failed fix is retried.")
    if verb is Verb.DONE and not (fix and fix.can_mark_done):
        return (f"The fix for {view.short_id} is {status}; only a failed fix, or an approved "
                "fix carried out by hand, is marked done.")
    return None
