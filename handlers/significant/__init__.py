"""Significant incidents under NIS2 Article 23: the flag, the reports to the authority
recorded after it, their deadlines, and who may record what (the lifecycle's
`significant` verb runs them)."""

from handlers.significant.rules import problem, said
from handlers.significant.stages import (
    REPORTS,
    TYPED,
    add_month,
    deadlines,
    entry,
    parse_stage,
    significant_view,
)

__all__ = ["REPORTS", "TYPED", "add_month", "deadlines", "entry", "parse_stage",
           "problem", "said", "significant_view"]
