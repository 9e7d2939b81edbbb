"""`tandem keys generate`, `tandem audit export --sign`, `tandem audit verify-export` and
`tandem audit verify --checkpoints`, driven as an operator would (SQLite; the storage and
domain tests run the same checks on PostgreSQL too)."""

import asyncio
import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load
from cards.checkpoint import render_text
from handlers.evidence import (
    Extract,
    Head,
    checkpoint_from_payload,
    generate_key,
    private_key,
    sign_export,
)
from storage.db import connect
from tests.bot.cli.conftest import CONFIG, _seed, _two_alerts
from tests.evidence.history import DAY1, two_checkpoints
from tests.evidence.tamper import rewrite

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def keyfile(cli, tmp_path, monkeypatch) -> Path:
    """A generated key, configured as the deployment's."""
    path = tmp_path / "keys" / "tandem.pem"
    path.parent.mkdir()
    assert cli("keys", "generate", "--out", str(path)).exit_code == 0
    monkeypatch.setenv("TANDEM_SIGNING_KEY_FILE", str(path))
    return path


def _pub(path: Path) -> str:
    return str(path) + ".pub"


def test_keys_generate_writes_a_private_key_only_its_owner_reads_and_never_overwrites(
        cli, tmp_path):
    out = tmp_path / "k.pem"
    made = cli("keys", "generate", "--out", str(out))
    assert made.exit_code == 0 and made.stderr == ""
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    signer = private_key(out.read_bytes(), "k.pem")
    public = Path(_pub(out)).read_text()
    assert public == signer.public.pem() and made.stdout.startswith(public)
    assert f"key id {signer.public.id}:" in made.stdout
    before = out.read_bytes()
    again = cli("keys", "generate", "--out", str(out))
    assert (again.exit_code, again.stdout) == (1, "")
    assert again.stderr == (f"error: {out} already exists; Tandem never overwrites a key "
                            "(move it away first)\n")
    assert out.read_bytes() == before
    out.unlink()  # the .pub alone is enough to refuse
    assert cli("keys", "generate", "--out", str(out)).exit_code == 1 and not out.exists()


def _export(cli, tmp_path, *extra: str) -> Path:
    out = tmp_path / "acme.jsonl"
    done = cli("audit", "export", "--tenant", "acme", "--sign", "--out", str(out), *extra)
    assert done.exit_code == 0, done.output
    return out


def test_signed_export_verifies_offline_and_a_changed_byte_or_wrong_key_fails(
        cli, tmp_path, keyfile):
    acme, _ = _two_alerts(cli.url)
    assert cli("alert", "claim", acme, "--as", "lee@acme.example").exit_code == 0
    out = _export(cli, tmp_path)
    document = json.loads(Path(str(out) + ".sig").read_text())
    assert (document["tenant"], document["events"], document["head"]["seq"]) == ("acme", 2, 2)
    assert document["head"]["hash"] == json.loads(out.read_text().splitlines()[-1])["hash"]
    good = cli("audit", "verify-export", str(out), "--key", _pub(keyfile))
    assert good.exit_code == 0
    assert good.stdout.startswith("export verified: acme.jsonl: 2 events of tenant acme, "
                                  "head event #2 (")
    assert good.stdout.endswith("signature and SHA-256 match; its hash chain re-walked\n")

    data = bytearray(out.read_bytes())
    data[data.index(b'"claim"') + 2] ^= 0x01  # one bit of one byte
    out.write_bytes(bytes(data))
    changed = cli("audit", "verify-export", str(out), "--key", _pub(keyfile))
    assert changed.exit_code == 1 and changed.stdout == ""
    assert changed.stderr.startswith("error: export NOT verified: acme.jsonl has changed since "
                                     "it was signed: its SHA-256 is ")

    other = tmp_path / "other.pem"
    assert cli("keys", "generate", "--out", str(other)).exit_code == 0
    wrong = cli("audit", "verify-export", str(out), "--key", _pub(other))
    assert wrong.exit_code == 1
    assert wrong.stderr == (f"error: export NOT verified: acme.jsonl.sig was signed by key "
                            f"{document['key_id']}, not by the key given "
                            f"({private_key(other.read_bytes(), 'x').public.id})\n")


def test_an_altered_signature_file_and_a_signed_but_broken_chain_fail(cli, tmp_path, keyfile):
    _two_alerts(cli.url)
    out = _export(cli, tmp_path)
    sig = Path(str(out) + ".sig")
    document = json.loads(sig.read_text())
    sig.write_text(json.dumps(document | {"events": 7}))
    altered = cli("audit", "verify-export", str(out), "--key", _pub(keyfile))
    assert altered.stderr == ("error: export NOT verified: the signature in acme.jsonl.sig does "
                              "not verify: the signature file was altered, or not made by this "
                              "key\n")
    # Signed as it is, a rewritten extract still fails its own chain.
    row = json.loads(out.read_text())
    out.write_text(json.dumps(row | {"actor": "mallory@evil.example"}, sort_keys=True) + "\n")
    signer = private_key(keyfile.read_bytes(), "key")
    extract = Extract("acme", "jsonl", _sha256(out), 1, Head(1, row["hash"]))
    sig.write_text(json.dumps(sign_export(signer, extract, DAY1)))
    broken = cli("audit", "verify-export", str(out), "--key", _pub(keyfile))
    assert broken.stderr == ("error: export NOT verified: the hash chain in acme.jsonl is broken: "
                             "line 1 (event #1) has been altered: its hash does not match its "
                             "contents\n")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_signed_csv_export_is_checked_by_signature_and_sha256(cli, tmp_path, keyfile):
    _two_alerts(cli.url)
    out = tmp_path / "acme.csv"
    assert cli("audit", "export", "--tenant", "acme", "--format", "csv", "--sign", "--out",
               str(out)).exit_code == 0
    done = cli("audit", "verify-export", str(out), "--key", _pub(keyfile))
    assert done.exit_code == 0 and "(csv: the chain is not re-walked)" in done.stdout
    out.write_text(out.read_text().replace("created", "craeted"))
    assert cli("audit", "verify-export", str(out), "--key", _pub(keyfile)).exit_code == 1


def test_verify_export_needs_no_database_and_no_configuration(cli, tmp_path, keyfile):
    _two_alerts(cli.url)
    out = _export(cli, tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    env |= {"PYTHONPATH": str(ROOT), "TANDEM_CONFIG": str(work / "missing.yaml"),
            "TANDEM_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/nothing"}
    for given in (env, {k: v for k, v in env.items() if not k.startswith("TANDEM_")}):
        done = subprocess.run(
            [sys.executable, "-c", "from bot.cli.main import main; main()", "audit",
             "verify-export", str(out), "--key", _pub(keyfile)],
            cwd=work, env=given, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("export verified: acme.jsonl: 1 events of tenant acme")
    assert list(work.iterdir()) == []  # not even the default SQLite file was made


def test_signing_needs_out_and_a_usable_key(cli, tmp_path, monkeypatch):
    _two_alerts(cli.url)
    no_out = cli("audit", "export", "--tenant", "acme", "--sign")
    assert no_out.stderr == ("error: --sign needs --out FILE: the signature goes next to it, "
                             "in FILE.sig\n")
    out = str(tmp_path / "a.jsonl")
    no_key = cli("audit", "export", "--tenant", "acme", "--sign", "--out", out)
    assert no_key.stderr == ("error: --sign needs a signing key: set TANDEM_SIGNING_KEY_FILE "
                             "(tandem keys generate makes one) or TANDEM_SIGNING_KEY\n")
    missing = tmp_path / "nope.pem"
    monkeypatch.setenv("TANDEM_SIGNING_KEY_FILE", str(missing))
    gone = cli("audit", "export", "--tenant", "acme", "--sign", "--out", out)
    assert gone.stderr == (f"error: cannot read the signing key file {missing}: No such file or "
                           "directory\n")
    assert cli("serve").stderr == gone.stderr  # nor does the server start with it
    missing.write_text("-----BEGIN PRIVATE KEY-----\nbm9wZQ==\n-----END PRIVATE KEY-----\n")
    bad = cli("audit", "export", "--tenant", "acme", "--sign", "--out", out)
    assert bad.stderr == (f"error: TANDEM_SIGNING_KEY_FILE ({missing}) is not a PEM private key "
                          "(tandem keys generate writes one)\n")
    monkeypatch.delenv("TANDEM_SIGNING_KEY_FILE")
    monkeypatch.setenv("TANDEM_SIGNING_KEY", generate_key().pem().decode())
    assert cli("audit", "export", "--tenant", "acme", "--sign", "--out", out).exit_code == 0


def _checkpointed(url: str, signer) -> str:
    """Events and two checkpoints, then the rewrite; returns the chat text of the posts."""

    async def main() -> str:
        cfg, db = load(CONFIG), connect(url)
        try:
            await two_checkpoints(db, cfg, signer)
            async with db.engine.connect() as conn:
                payloads = (await conn.exec_driver_sql(
                    "SELECT payload FROM outbox WHERE kind = 'checkpoint' AND platform = 'teams' "
                    "ORDER BY id")).scalars().all()
            posts = [checkpoint_from_payload(json.loads(p) if isinstance(p, str) else p)
                     for p in payloads]
            await rewrite(db, "acme", 6, {"text": "nothing to see"})
            async with db.engine.begin() as conn:
                await conn.exec_driver_sql("DELETE FROM audit_checkpoint")
            return "\n[10:02] Tandem\n".join(render_text(p) for p in posts)
        finally:
            await db.dispose()

    _seed(url)
    return asyncio.run(main())


def test_verify_holds_the_log_to_checkpoints_pasted_from_chat(cli, tmp_path, keyfile):
    chat = tmp_path / "from-teams.txt"
    chat.write_text(_checkpointed(cli.url, private_key(keyfile.read_bytes(), "key")))
    fooled = cli("audit", "verify", "--tenant", "acme")
    assert (fooled.exit_code, fooled.stdout) == (0, "audit log intact: 10 events verified\n")
    caught = cli("audit", "verify", "--checkpoints", str(chat), "--key", _pub(keyfile))
    assert (caught.exit_code, caught.stdout) == (1, "")
    assert caught.stderr == (
        "error: audit log broken: tenant acme: audit event #8 no longer matches the checkpoint "
        "of 2026-11-22 08:30 UTC: the log was rewritten at or before it (after #4, the last "
        "checkpoint still matching) (8 events checked)\n")
    configured = cli("audit", "verify", "--tenant", "acme", "--checkpoints", str(chat))
    assert configured.stderr == caught.stderr  # the configured key's public half
    forged = chat.read_text().replace("seq=4 ", "seq=3 ")
    chat.write_text(forged)
    reported = cli("audit", "verify", "--checkpoints", str(chat))
    assert reported.stderr.startswith(
        "error: forged or unusable checkpoint: tenant acme: the pasted checkpoint of "
        "2026-11-21 08:30 UTC (#3) has a bad signature: it is forged or was altered\n")
    empty = tmp_path / "nothing.txt"
    empty.write_text("no checkpoints here")
    assert cli("audit", "verify", "--checkpoints", str(empty)).stderr == (
        f"error: {empty} holds no tandem-checkpoint line\n")
