"""Canonical JSON for the audit hash chain, and fast reading of the JSON it hashes.

The canonical bytes must never change, or every stored chain stops verifying: they are
the standard library's json.JSONEncoder(sort_keys=True, separators=(",", ":"),
ensure_ascii=False) encoded as UTF-8, which the chains were first written with.
orjson gives the same bytes several times faster for dicts, lists, tuples, strings,
integers, booleans and None, so it encodes values made only of those. Everything
else goes to the standard library: floats, which orjson writes differently (1e-05 as
0.00001, NaN as null), and types orjson takes but the standard library refuses
(datetimes, UUIDs, plain enums), so those fail as they always did. So do values
orjson refuses (integers beyond 64 bits, non-string keys, lone surrogates), which are
handed to the standard library to encode or refuse.
"""

import json
from typing import Any

import orjson

_STDLIB = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_LEAVES = frozenset({str, int, bool, type(None)})  # exact types; subclasses are looked at


def _plain(value: Any) -> bool:
    """Whether `value` is made only of dicts, lists, tuples, strings, integers, booleans
    and None (str and int subclasses, such as StrEnum and IntEnum, included).

    It runs for every event hashed, hence the exact-type shortcut for most items."""
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, list | tuple):
        return value is None or isinstance(value, str | int)
    for item in value:  # noqa: SIM110 - any() over a generator takes twice as long
        if type(item) not in _LEAVES and not _plain(item):
            return False
    return True


def dumps(value: Any) -> bytes:
    """The canonical UTF-8 JSON of `value`."""
    if _plain(value):
        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            pass
    return _STDLIB.encode(value).encode()


def loads(text: str | bytes) -> Any:
    """`json.loads(text)`, faster (text or UTF-8 bytes).

    orjson reads integers beyond 64 bits as (rounded) floats and rejects NaN and
    Infinity, so text it rejects or that decodes to anything holding a float is read
    again by the standard library: the values are always exactly json.loads's.
    """
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
    return value if _plain(value) else json.loads(text)
