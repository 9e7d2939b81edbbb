"""Who is on call: schedules, overrides ("covers"), and the answer chat and the CLI give."""

from handlers.oncall.answer import cover, describe, view
from handlers.oncall.overrides import CoverRefused

__all__ = ["CoverRefused", "cover", "describe", "view"]
