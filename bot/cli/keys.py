"""`tandem keys generate`: the deployment's Ed25519 key for signed audit evidence."""

import os
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.support import echo, fail
from handlers.evidence import generate_key

app = typer.Typer(help="Signing keys for audit evidence.", no_args_is_help=True)


def _write(path: Path, data: bytes, mode: int) -> None:
    """Create `path` with `mode`; never over an existing file (O_EXCL)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Where to write the private key (PEM); the "
                                           "public key goes to the same path plus .pub.")],
) -> None:
    """Make a new Ed25519 key: the private key (PKCS8 PEM, mode 0600) at --out, the public
    key at --out plus .pub; prints the public key and its id. Refuses to overwrite."""
    public = out.with_name(out.name + ".pub")
    for path in (out, public):
        if path.exists() or path.is_symlink():
            fail(f"{path} already exists; Tandem never overwrites a key (move it away first)")
    key = generate_key()
    try:
        _write(out, key.pem(), 0o600)
        _write(public, key.public.pem().encode(), 0o644)
    except OSError as error:
        fail(f"cannot write the key to {error.filename or out}: {error.strerror or error}")
    echo(key.public.pem().rstrip("\n"))
    echo(f"key id {key.public.id}: private key in {out} (mode 0600), public key in {public}; "
         f"set TANDEM_SIGNING_KEY_FILE={out} and give {public.name} to whoever verifies")
