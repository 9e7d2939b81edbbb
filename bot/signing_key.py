"""The deployment's signing key, from TANDEM_SIGNING_KEY_FILE (a PEM file's path) or
TANDEM_SIGNING_KEY (the PEM text itself), and public keys from files.

A key that cannot be used is a KeyProblem in one sentence naming the setting or file,
never quoting the key; nothing here logs.
"""

from pathlib import Path

from bot.config import Settings
from handlers.evidence import KeyProblem, Signer, Verifier, private_key, public_key

FILE, TEXT = "TANDEM_SIGNING_KEY_FILE", "TANDEM_SIGNING_KEY"


def configured(settings: Settings) -> bool:
    return settings.signing_key_file is not None or settings.signing_key is not None


def signer(settings: Settings) -> Signer | None:
    """The configured private key, or None when neither setting is given."""
    if settings.signing_key_file is not None and settings.signing_key is not None:
        raise KeyProblem(f"both {FILE} and {TEXT} are set; set one of them")
    if settings.signing_key is not None:
        return private_key(settings.signing_key.get_secret_value().encode(), TEXT)
    if settings.signing_key_file is not None:
        path = settings.signing_key_file
        return private_key(read(path, "the signing key file"), f"{FILE} ({path})")
    return None


def verifier(path: Path) -> Verifier:
    """The public key in the PEM file at `path`."""
    return public_key(read(path, "the public key file"), str(path))


def read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise KeyProblem(f"cannot read {what} {path}: {error.strerror or error}") from None
