"""`tandem report` driven for real against a SQLite file holding the known month."""

import asyncio
import json

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.config import load
from tests.conftest import DATA, _synced

from . import month as M


@pytest.fixture
def tandem(sqlite_url):
    async def seeded() -> None:
        cfg = load(DATA / "config.yaml")
        db = await _synced(sqlite_url, cfg)
        try:
            await M.seed(db, cfg)
        finally:
            await db.dispose()

    asyncio.run(seeded())
    env = {"TANDEM_DATABASE_URL": sqlite_url, "TANDEM_CONFIG": str(DATA / "config.yaml")}

    def invoke(*args: str):
        result = CliRunner().invoke(app, ["report", *args], env=env)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        return result

    return invoke


def _times(rows):
    return {r["side"]: (r["count"], r["median_seconds"], r["p90_seconds"]) for r in rows}


def test_json_on_standard_output_has_the_known_numbers(tandem):
    done = tandem("--tenant", "acme", "--month", "2026-11", "--format", "json")
    assert done.exit_code == 0, done.output
    found = json.loads(done.stdout)["report"]
    assert (_times(found["mtta"]), _times(found["mttr"])) == (M.EXPECTED_MTTA, M.EXPECTED_MTTR)
    assert done.stdout.index('"days"') < done.stdout.index('"mtta"')  # keys sorted


def test_json_into_a_file(tandem, tmp_path):
    target = tmp_path / "november.json"
    done = tandem("--tenant", "acme", "--month", "2026-11", "--format", "json",
                  "--out", str(target))
    assert (done.exit_code, done.stdout) == (0, f"report written to {target}\n")
    assert json.loads(target.read_text())["report"]["month"] == "2026-11"


@pytest.mark.parametrize(("args", "said"), [
    (["--tenant", "acme", "--month", "2026-13"],
     "error: '2026-13' is not a month; write it as YYYY-MM, e.g. 2026-11.\n"),
    (["--tenant", "acme", "--month", "nov", "--format", "json"],
     "error: 'nov' is not a month; write it as YYYY-MM, e.g. 2026-11.\n"),
    (["--tenant", "nobody", "--month", "2026-11", "--format", "json"],
     "error: Unknown tenant 'nobody'; known: acme, globex.\n"),
    (["--tenant", "acme", "--month", "2026-11", "--format", "docx"],
     "error: --format must be one of pdf, html, json, not 'docx'.\n"),
])
def test_bad_input_is_one_sentence_and_exit_1(tandem, args, said):
    done = tandem(*args)
    assert (done.exit_code, done.stderr) == (1, said)


def test_a_file_that_cannot_be_written(tandem, tmp_path):
    done = tandem("--tenant", "acme", "--month", "2026-11", "--format", "json",
                  "--out", str(tmp_path / "missing" / "r.json"))
    assert done.exit_code == 1
    assert done.stderr.startswith("error: cannot write ")
