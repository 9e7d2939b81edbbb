"""`tandem alert list --storm ID`: the alerts a storm card stands for ("and N more")."""

import asyncio

from handlers.config import sync
from storage.db import connect
from tests.bot.cli.conftest import LEE
from tests.storms import THRESHOLD, arrive, storm_config, storm_config_file


def _storm(url: str, folder) -> list[str]:
    async def main() -> list[str]:
        cfg = storm_config(folder)
        db = connect(url)
        try:
            async with db.unit() as uow:
                await sync(uow, cfg)
            await arrive(db, cfg, "prometheus", [f"disk {i}" for i in range(THRESHOLD)])
            return await arrive(db, cfg, "prometheus", ["disk 3", "disk 4"])
        finally:
            await db.dispose()

    return asyncio.run(main())


def test_list_storm_shows_the_alerts_that_joined_it(cli, tmp_path):
    stormed = _storm(cli.url, tmp_path)
    config = storm_config_file(tmp_path)
    listed = cli("alert", "list", "--storm", "1", "--state", "all", config=config)
    assert listed.exit_code == 0
    assert [line.split(" · ")[0].split()[-1] for line in listed.stdout.splitlines()] == (
        stormed[::-1])
    assert cli("alert", "claim", stormed[0], "--as", LEE, config=config).exit_code == 0
    mine = cli("alert", "list", "--storm", "1", "--as", LEE, "--state", "mine", config=config)
    assert mine.stdout.splitlines()[0].split(" · ")[0].split()[-1] == stormed[0]
    assert cli("alert", "list", "--storm", "99", config=config).stdout == "No alerts.\n"
