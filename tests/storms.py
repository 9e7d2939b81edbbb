"""The test configuration with storms on for Acme (threshold 3, window 10m) and off for
Globex, and intake of alerts from a named source, for the storm tests."""

from pathlib import Path

import yaml

from bot.config import load
from handlers.config import TandemConfig
from handlers.enums import Severity
from handlers.intake import ingest_many
from handlers.intake.types import AlertIn
from tests.conftest import DATA, NOW

THRESHOLD = 3


def storm_config_file(folder: Path) -> Path:
    raw = yaml.safe_load((DATA / "config.yaml").read_text())
    raw["tenants"][0]["storm"] = {"threshold": THRESHOLD, "window": "10m"}
    path = folder / "storm-config.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def storm_config(folder: Path) -> TandemConfig:
    return load(storm_config_file(folder))


async def arrive(db, cfg, source: str, titles: list[str], tenant: str = "acme",
                 severity: Severity = Severity.MEDIUM, at=NOW) -> list[str]:
    """New alerts from `source`, in one intake group; their short ids."""
    events = [AlertIn(source=source, title=title, severity=severity, dedup_key=f"{source}:{title}")
              for title in titles]
    async with db.unit() as unit:
        done = await ingest_many(unit, cfg, cfg.known_tenant(tenant), events, at)
    return [d.alert for d in done]
