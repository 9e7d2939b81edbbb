"""Ed25519 keys and signatures for audit evidence (signed exports, daily checkpoints).

One key per deployment, read from a file or the environment and never stored in the
database. What is signed is always the canonical JSON of a mapping of plain values
(sorted keys, no spaces, UTF-8: the same rule as the audit chain's), so anyone with
the public key can check a signature with any Ed25519 library. A key is named by its
id: the first 16 hex characters of the SHA-256 of its 32 raw public bytes.
"""

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

_RAW = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class KeyProblem(ValueError):
    """A key that cannot be used, said in one sentence that never quotes the key."""


def canonical(fields: Mapping[str, object]) -> bytes:
    """The bytes a signature covers."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class Verifier:
    """A public key: checks signatures."""

    key: Ed25519PublicKey

    @property
    def id(self) -> str:
        return hashlib.sha256(self.key.public_bytes(*_RAW)).hexdigest()[:16]

    def pem(self) -> str:
        return self.key.public_bytes(serialization.Encoding.PEM,
                                     serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def verify(self, fields: Mapping[str, object], signature: str) -> bool:
        """Whether `signature` (base64) is this key's over `fields`."""
        try:
            raw = base64.b64decode(signature, validate=True)
            self.key.verify(raw, canonical(fields))
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """A private key: makes signatures."""

    key: Ed25519PrivateKey

    @property
    def public(self) -> Verifier:
        return Verifier(self.key.public_key())

    def sign(self, fields: Mapping[str, object]) -> str:
        """The base64 Ed25519 signature over the canonical JSON of `fields`."""
        return base64.b64encode(self.key.sign(canonical(fields))).decode("ascii")

    def pem(self) -> bytes:
        """The private key as unencrypted PKCS8 PEM, for `tandem keys generate`."""
        return self.key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())


def generate() -> Signer:
    return Signer(Ed25519PrivateKey.generate())


def private_key(pem: bytes, where: str) -> Signer:
    """The Ed25519 private key PEM text from `where` (a file or a variable, as named)."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except TypeError:
        raise KeyProblem(f"{where} holds an encrypted private key; Tandem reads an "
                         "unencrypted PKCS8 PEM key (tandem keys generate writes one)") from None
    except (ValueError, UnsupportedAlgorithm):
        raise KeyProblem(f"{where} is not a PEM private key (tandem keys generate "
                         "writes one)") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"{where} holds a private key that is not Ed25519")
    return Signer(key)


def public_key(pem: bytes, where: str) -> Verifier:
    """The Ed25519 public key PEM text from `where`."""
    if b"PRIVATE KEY" in pem:
        raise KeyProblem(f"{where} holds a private key; give the public key (the .pub file "
                         "tandem keys generate wrote)")
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, UnsupportedAlgorithm):
        raise KeyProblem(f"{where} is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyProblem(f"{where} holds a public key that is not Ed25519")
    return Verifier(key)
