"""`tandem audit verify|export`."""

import asyncio
import csv
import hashlib
import io
import json
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import load
from handlers.config.sync import sync
from handlers.enums import Severity, Verb
from storage.db import connect
from tests.bot.cli.conftest import (
    CONFIG,
    DANA,
    LEE,
    TANDEM,
    _error,
    _file,
    _seed,
    _two_alerts,
)
from tests.conftest import NOW

# --- audit ---------------------------------------------------------------------------------


def test_audit_verify_then_tamper(cli):
    acme, _ = _two_alerts(cli.url)
    for verb in ("claim", "escalate", "resolve"):
        assert cli("alert", verb, acme, "--as", LEE).exit_code == 0
    intact = cli("audit", "verify")
    assert (intact.exit_code, intact.stdout) == (0, "audit log intact: 5 events verified\n")
    with sqlite3.connect(_file(cli.url)) as raw:
        raw.execute(
            "UPDATE audit_event SET details = '{\"level\": 9}' WHERE tenant_id = 'acme' AND seq = 3"
        )
    _error(
        cli("audit", "verify"),
        "audit log broken: tenant acme: audit event #3 has been "
        "altered: its hash does not match its contents "
        "(3 events checked)",
    )
    other = cli("audit", "verify", "--tenant", "globex")
    assert (other.exit_code, other.stdout) == (0, "audit log intact: 1 events verified\n")


def test_audit_verify_of_an_unknown_tenant_says_so(cli):
    result = cli("audit", "verify", "--tenant", "nope")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "error: unknown tenant 'nope': there is no audit chain of that name\n"
    deployment = cli("audit", "verify", "--tenant", "_deployment")
    assert deployment.exit_code == 0


def test_audit_verify_names_a_deleted_event(cli):
    acme, _ = _two_alerts(cli.url)
    for verb in ("claim", "escalate"):
        assert cli("alert", verb, acme, "--as", LEE).exit_code == 0
    with sqlite3.connect(_file(cli.url)) as raw:
        raw.execute("DELETE FROM audit_event WHERE tenant_id = 'acme' AND seq = 2")
    result = cli("audit", "verify", "--tenant", "acme")
    assert result.exit_code == 1
    assert "audit event #3 is out of sequence (expected #2)" in result.stderr


LATER = NOW + timedelta(days=2)  # 2026-11-22 14:02 UTC


def _history_over_two_days(url: str) -> str:
    [acme, _] = _seed(
        url,
        ("alert", "acme", Severity.HIGH),
        ("alert", "globex", Severity.LOW),
        (Verb.CLAIM, 0, DANA, LATER, {}),
        (Verb.COMMENT, 0, DANA, LATER + timedelta(minutes=5), {"text": 'says "hi", then, café'}),
    )
    return acme


def _check_chain(rows: list[dict]) -> None:
    """Each exported row links to the one before and carries the SHA-256 of its canonical
    JSON (sorted keys, no spaces, UTF-8, time as 2026-11-20T14:02:00.000000Z), recomputed
    here from the export alone, as an auditor outside Tandem would."""
    for before, row in zip(rows, rows[1:], strict=False):
        assert row["prev_hash"] == before["hash"]
    for row in rows:
        body = {k: v for k, v in row.items() if k != "hash"}
        at = datetime.fromisoformat(row["at"]).astimezone(UTC)
        body["at"] = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(text.encode()).hexdigest() == row["hash"]


def test_audit_export_jsonl(cli):
    acme = _history_over_two_days(cli.url)
    result = cli("audit", "export", "--tenant", "acme", "--format", "jsonl")
    assert result.exit_code == 0 and result.stderr == ""
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["seq"], r["verb"], r["alert"]) for r in rows] == [
        (1, "created", acme),
        (2, "claim", acme),
        (3, "comment", acme),
    ]
    assert rows[0]["at"] == "2026-11-20T14:02:00+00:00"
    assert rows[1]["actor"] == DANA and rows[1]["actor_side"] == "partner"
    assert rows[2]["details"] == {"text": 'says "hi", then, café'}
    assert rows[0]["prev_hash"] == "0" * 64
    _check_chain(rows)


def test_audit_export_csv(cli):
    _history_over_two_days(cli.url)
    result = cli("audit", "export", "--tenant", "acme", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "tenant_id",
        "seq",
        "at",
        "actor",
        "actor_side",
        "verb",
        "alert",
        "from_status",
        "to_status",
        "details",
        "prev_hash",
        "hash",
    ]
    assert [r["seq"] for r in rows] == ["1", "2", "3"]
    assert json.loads(rows[2]["details"]) == {"text": 'says "hi", then, café'}
    typed = [
        r
        | {
            "seq": int(r["seq"]),
            "details": json.loads(r["details"]),
            **{k: r[k] or None for k in ("actor_side", "from_status", "to_status")},
        }
        for r in rows
    ]
    _check_chain(typed)  # the CSV carries everything needed to re-check the chain


@pytest.mark.parametrize(
    ("since", "seqs"),
    [
        ("2026-11-20", [1, 2, 3]),
        ("2026-11-21", [2, 3]),
        ("2026-11-22T14:03:00+00:00", [3]),
        ("2026-11-22T15:03:00+01:00", [3]),  # the same moment written in another zone
        ("2026-11-23", []),
    ],
)
def test_audit_export_since(cli, since, seqs):
    _history_over_two_days(cli.url)
    result = cli("audit", "export", "--tenant", "acme", "--since", since)
    assert result.exit_code == 0
    assert [json.loads(line)["seq"] for line in result.stdout.splitlines()] == seqs


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--tenant", "initech"), "unknown tenant 'initech'"),
        (("--tenant", "acme", "--format", "xml"), "--format must be jsonl or csv, not 'xml'"),
        (
            ("--tenant", "acme", "--since", "last week"),
            "--since 'last week' is not a date; use YYYY-MM-DD or an ISO time",
        ),
    ],
)
def test_audit_export_errors(cli, args, message):
    _error(cli("audit", "export", *args), message)


def test_export_into_a_closed_pipe_stops_quietly(sqlite_url):
    """`tandem audit export | head` must not report the database as unavailable."""
    if not TANDEM.exists():
        pytest.skip(f"console script not installed at {TANDEM}")

    async def many_events():
        db = connect(sqlite_url)
        try:
            async with db.unit() as uow:
                await sync(uow, load(CONFIG))
                uow.audit("acme", [
                    {"at": NOW, "actor": "bench", "verb": "note", "details": {"pad": "x" * 1000}}
                    for _ in range(200)
                ])
        finally:
            await db.dispose()

    asyncio.run(many_events())
    env = {"TANDEM_DATABASE_URL": sqlite_url, "TANDEM_CONFIG": str(CONFIG), "PATH": "/usr/bin"}
    proc = subprocess.Popen(
        [str(TANDEM), "audit", "export", "--tenant", "acme"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert json.loads(first)["seq"] == 1
    assert stderr == ""
    assert proc.returncode == 1
