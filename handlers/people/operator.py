"""The deployment's operator: the one reader who sees every tenant.

Only the command line builds an Operator (`tandem alert list` without --as); chat
adapters read as the person who asked. An import-linter contract in pyproject.toml
keeps bot.slack, bot.teams and the chat command set from importing this module.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Operator:
    """Reads as the operator of this deployment, who runs the CLI on its host."""
