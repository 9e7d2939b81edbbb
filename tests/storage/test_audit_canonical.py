"""The audit chain's canonical JSON: byte for byte what the standard library gave.

Every stored chain was hashed over json.JSONEncoder(sort_keys=True, separators=(",", ":"),
ensure_ascii=False) bytes; if `canonical` ever differs, old logs stop verifying.
"""

import enum
import json
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage import canonical

_LEGACY = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def legacy(value) -> bytes:
    return _LEGACY.encode(value).encode()


# Unbounded integers, every float (NaN, infinities, subnormals), all of Unicode but
# lone surrogates, nested as deep as hypothesis likes.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
)


@settings(max_examples=500, deadline=None)
@given(json_values)
def test_dumps_gives_the_legacy_bytes(value):
    assert canonical.dumps(value) == legacy(value)


@settings(max_examples=500, deadline=None)
@given(json_values, st.booleans())
def test_loads_reads_what_json_loads_reads(value, ascii_only):
    stored = json.dumps(value, ensure_ascii=ascii_only)  # as SQLAlchemy writes the column
    # Compared as legacy bytes, which tell 1 from 1.0 and match NaN with NaN.
    assert legacy(canonical.loads(stored)) == legacy(json.loads(stored))


class Side(enum.StrEnum):
    PARTNER = "partner"


class Level(enum.IntEnum):
    TWO = 2


@pytest.mark.parametrize(
    "value",
    [
        {"side": Side.PARTNER, "level": Level.TWO, "flag": True},
        {"to": ("a", "b"), "ratio": 1e-05, "nothing": float("nan"), "inf": float("-inf")},
        {"big": 2**64, "negative": -(2**63) - 1, "max": 2**64 - 1},
        {2: "two", 10: "ten"},
        {"text": "café \u2028 \x7f \x00 \x1f \"q\" \\ / 😀", "é": 1, "z": 2, "\uffff": 3},
    ],
)
def test_python_values_the_writers_hash(value):
    assert canonical.dumps(value) == legacy(value)


class Colour(enum.Enum):
    RED = "red"


def test_refused_values_fail_as_before():
    with pytest.raises(UnicodeEncodeError):
        canonical.dumps({"lone": "\ud800"})
    # orjson would write these; the standard library never did.
    for value in (datetime.now(UTC), uuid.uuid4(), Colour.RED, object()):
        with pytest.raises(TypeError):
            canonical.dumps({"value": [value]})
