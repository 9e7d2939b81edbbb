"""Keys, signatures and the checkpoint line, without a database."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key

from handlers.evidence import (
    Checkpoint,
    KeyProblem,
    generate_key,
    parse_checkpoints,
    private_key,
    public_key,
)
from handlers.evidence.signing import canonical

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _checkpoint(key) -> Checkpoint:
    unsigned = Checkpoint("acme", 1234, "ab" * 32, AT, key.public.id, "")
    return replace(unsigned, signature=key.sign(unsigned.signed()))


def test_a_key_signs_what_its_public_half_verifies_and_nothing_else():
    key = generate_key()
    again = private_key(key.pem(), "file")
    public = public_key(key.public.pem().encode(), "file.pub")
    assert again.public.id == public.id == key.public.id and len(public.id) == 16
    signature = key.sign({"b": 1, "a": "é"})
    assert canonical({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()
    assert public.verify({"a": "é", "b": 1}, signature)
    assert not public.verify({"a": "é", "b": 2}, signature)
    assert not generate_key().public.verify({"a": "é", "b": 1}, signature)
    assert not public.verify({"a": "é", "b": 1}, "not base64!")


def test_unusable_keys_are_named_in_one_sentence_without_their_contents():
    ec = generate_private_key(SECP256R1())
    encrypted = generate_key().key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw"))
    cases = [
        (lambda: private_key(b"hello", "K"), "K is not a PEM private key (tandem keys "
                                             "generate writes one)"),
        (lambda: private_key(encrypted, "K"), "K holds an encrypted private key; Tandem reads "
                                              "an unencrypted PKCS8 PEM key (tandem keys "
                                              "generate writes one)"),
        (lambda: private_key(ec.private_bytes(serialization.Encoding.PEM,
                                              serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()), "K"),
         "K holds a private key that is not Ed25519"),
        (lambda: public_key(generate_key().pem(), "P"), "P holds a private key; give the public "
                                                        "key (the .pub file tandem keys "
                                                        "generate wrote)"),
        (lambda: public_key(b"junk", "P"), "P is not a PEM public key"),
    ]
    for load, message in cases:
        with pytest.raises(KeyProblem) as raised:
            load()
        assert str(raised.value) == message


def test_the_line_survives_a_copy_from_chat_and_carries_its_own_signature():
    key = generate_key()
    checkpoint = _checkpoint(key)
    assert checkpoint.line.startswith("tandem-checkpoint v1 tenant=acme seq=1234 "
                                      "at=2026-11-30T09:00:00Z hash=abab")
    wrapped = checkpoint.line.replace(" hash=", "\n  hash=").replace(" sig=", "\u00a0sig=")
    pasted = f"Tandem APP 9:00\n> {checkpoint.line}\nsomeone: ok\n{wrapped}\n"
    assert parse_checkpoints(pasted) == [checkpoint, checkpoint]
    assert checkpoint.valid(key.public) and not checkpoint.valid(generate_key().public)
    [moved] = parse_checkpoints(checkpoint.line.replace("seq=1234", "seq=1235"))
    assert not moved.valid(key.public)
    assert parse_checkpoints(checkpoint.line.replace("hash=ab", "hash=zz")) == []
