"""`tandem audit ...`: verify the hash chain (against signed checkpoints too), export the
log (signed, if asked) and verify a signed export offline."""

import csv
import hashlib
import json
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from bot import signing_key
from bot.cli.support import echo, fail, run, settings
from handlers.evidence import (
    Checkpoint,
    ExportRejected,
    Extract,
    Head,
    KeyProblem,
    Signer,
    Verifier,
    check_export,
    compare_export,
    export_summary,
    parse_checkpoints,
    sign_export,
    verified_summary,
    verify_audit,
)
from storage import audit
from storage.extract import BrokenExtract, ExtractWalk

app = typer.Typer(help="Verify and export the audit log.", no_args_is_help=True)
KeyFiles = Annotated[list[Path] | None, typer.Option(
    "--key", help="A public key (PEM) to check signatures with; repeat for several. "
                  "Default: the configured signing key's public half.")]


def _keys(files: list[Path] | None) -> list[Verifier]:
    """The public keys given, else the configured key's; a bad one ends the command."""
    try:
        if files:
            return [signing_key.verifier(path) for path in files]
        found = signing_key.signer(settings())
    except KeyProblem as problem:
        fail(str(problem))
    return [found.public] if found else []


def _pasted(path: Path | None, tenant: str | None) -> list[Checkpoint]:
    """The checkpoint lines in a file of text copied from chat."""
    if path is None:
        return []
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror or error}")
    found = parse_checkpoints(text)
    if not [cp for cp in found if tenant is None or cp.tenant_id == tenant]:
        of = f" of tenant {tenant}" if tenant else ""
        fail(f"{path} holds no tandem-checkpoint line{of}")
    return found


@app.command()
def verify(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant.")] = None,
    checkpoints: Annotated[Path | None, typer.Option(
        help="Text copied from chat holding tandem-checkpoint lines.")] = None,
    key: KeyFiles = None,
) -> None:
    """Walk the hash chains and hold them to every signed checkpoint, stored and pasted
    (an operator command: read-only); exit 1 naming the first event that no longer
    matches, a forged checkpoint, or an unknown tenant."""
    keys, pasted = _keys(key), _pasted(checkpoints, tenant)

    async def body(rt):
        try:
            return await verify_audit(rt.db, tenant, pasted, keys)
        except audit.UnknownTenant:
            return None

    result = run(body)
    if result is None:
        fail(f"unknown tenant {tenant!r}: there is no audit chain of that name")
    done = result.verification
    problems = [f"forged or unusable checkpoint: {p}" for p in result.problems]
    if done.broken:
        problems.append(f"audit log broken: {done.broken} ({done.checked} events checked)")
    if problems:
        fail("\n".join(problems))
    echo(verified_summary(result, keys))


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--since {value!r} is not a date; use YYYY-MM-DD or an ISO time")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _row(event: Mapping[Any, Any]) -> dict:
    return {**event, "at": event["at"].isoformat()}


class _Written:
    """How many events went out, and the last one (the signed head)."""

    def __init__(self) -> None:
        self.events = 0
        self.head: Head | None = None

    def add(self, row: dict) -> None:
        self.events, self.head = self.events + 1, Head(row["seq"], row["hash"])


async def _write(rt, tenant: str, start: datetime | None, format: str, out: IO[str],
                 written: _Written) -> None:
    writer = csv.DictWriter(out, fieldnames=audit.EXPORTED) if format == "csv" else None
    if writer:
        writer.writeheader()
    async for event in audit.events(rt.db, tenant, start):
        row = _row(event)
        if writer:
            writer.writerow({**row, "details": json.dumps(row["details"], sort_keys=True)})
        else:
            out.write(json.dumps(row, sort_keys=True) + "\n")
        written.add(row)


def _signer(sign: bool, out: Path | None) -> Signer | None:
    if not sign:
        return None
    if out is None:
        fail("--sign needs --out FILE: the signature goes next to it, in FILE.sig")
    try:
        found = signing_key.signer(settings())
    except KeyProblem as problem:
        fail(str(problem))
    if found is None:
        fail("--sign needs a signing key: set TANDEM_SIGNING_KEY_FILE (tandem keys generate "
             "makes one) or TANDEM_SIGNING_KEY")
    return found


@app.command()
def export(
    tenant: Annotated[str, typer.Option(help="Tenant id.")],
    format: Annotated[str, typer.Option(help="jsonl or csv.")] = "jsonl",
    since: Annotated[str | None, typer.Option(help="Only events at or after.")] = None,
    out: Annotated[Path | None, typer.Option(help="Write to FILE, not standard output.")] = None,
    sign: Annotated[bool, typer.Option(help="Also write FILE.sig, a detached signature "
                                            "(needs --out and a signing key).")] = False,
) -> None:
    """Write a tenant's audit events to standard output or --out (an operator command:
    read-only; `--tenant _deployment` is the chain of refusals that concern no tenant
    of the actor)."""
    if format not in ("jsonl", "csv"):
        fail(f"--format must be jsonl or csv, not {format!r}")
    start, signer, written = _since(since), _signer(sign, out), _Written()

    async def body(rt):
        if rt.cfg.tenant(tenant) is None and tenant != audit.DEPLOYMENT:
            return f"unknown tenant {tenant!r}"
        if out is None:
            await _write(rt, tenant, start, format, sys.stdout, written)
            return None
        try:
            file = out.open("w", encoding="utf-8", newline="")
        except OSError as error:
            return f"cannot write {out}: {error.strerror or error}"
        with file:
            await _write(rt, tenant, start, format, file, written)
        return None

    problem = run(body)
    if problem:
        fail(problem)
    if signer is not None and out is not None:
        _sign(signer, out, Extract(tenant, format, _sha256(out), written.events, written.head,
                                   since))


def _sha256(path: Path) -> str:
    with path.open("rb") as data:
        return hashlib.file_digest(data, "sha256").hexdigest()


def _sign(signer: Signer, out: Path, extract: Extract) -> None:
    signature = out.with_name(out.name + ".sig")
    document = sign_export(signer, extract, datetime.now(UTC))
    signature.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n",
                         encoding="utf-8")
    echo(f"signed {out} ({extract.events} events) with key {signer.public.id}: {signature}")


@app.command("verify-export")
def verify_export(
    file: Annotated[Path, typer.Argument(help="The exported extract.")],
    key: Annotated[Path, typer.Option(help="The public key (PEM) it was signed with.")],
    signature: Annotated[Path | None, typer.Option(help="Default: FILE.sig.")] = None,
) -> None:
    """Check a signed export offline (no database, no configuration): the signature, the
    extract's SHA-256 and, for jsonl, its own hash chain up to the signed head."""
    signature = signature or file.with_name(file.name + ".sig")
    try:
        signed = check_export(_json(signature), signature.name, signing_key.verifier(key))
        claimed = signed.extract
        if claimed.extract not in ("jsonl", "csv"):
            raise ExportRejected(f"{signature.name} signs an extract of unknown kind "
                                 f"{claimed.extract!r}")
        sha256 = _file_sha256(file)
        compare_export(claimed, file.name, sha256, None, None)
        walk = _walk(file, claimed.tenant) if claimed.extract == "jsonl" else None
        if walk is not None:
            head = Head(*walk.head) if walk.head else None
            compare_export(claimed, file.name, sha256, walk.events, head)
    except (KeyProblem, ExportRejected) as problem:
        fail(f"export NOT verified: {problem}")
    echo(export_summary(signed, file.name, walk is not None))


def _json(path: Path) -> object:
    try:
        return json.loads(path.read_bytes())
    except OSError as error:
        raise ExportRejected(f"cannot read {path}: {error.strerror or error}") from None
    except ValueError:
        raise ExportRejected(f"{path.name} is not a Tandem export signature (not JSON)") from None


def _file_sha256(path: Path) -> str:
    try:
        return _sha256(path)
    except OSError as error:
        raise ExportRejected(f"cannot read {path}: {error.strerror or error}") from None


def _walk(path: Path, tenant: str) -> ExtractWalk:
    """The extract's own chain, walked line by line (constant memory)."""
    walk = ExtractWalk(tenant)
    try:
        with path.open("rb") as data:
            for number, line in enumerate(data, start=1):
                walk.feed(line, number)
    except BrokenExtract as broken:
        raise ExportRejected(f"the hash chain in {path.name} is broken: {broken}") from None
    return walk
