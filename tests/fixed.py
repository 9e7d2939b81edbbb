"""A configuration source that never changes, for parts tested without a runtime."""

from dataclasses import dataclass

from handlers.config import TandemConfig


@dataclass(frozen=True)
class Fixed:
    cfg: TandemConfig
