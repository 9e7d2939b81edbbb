"""Shared field reading for the source parsers.

A `Fields` collects every `FieldProblem` met in one payload; `check()` raises them all as
one `PayloadError`. Paths are JSON paths relative to the body: `alerts[2].labels`,
`payload.severity`, `[3].title`; the body itself is `$`.

Conventions shared by every source:
- A missing key and JSON `null` are the same thing ("is required" when required); a
  `null` body or list item "must be an object".
- Label values: strings are kept; numbers become `str(n)`; booleans become "true" /
  "false"; `null` values are dropped; objects and lists are a problem ("must be a
  string"); values longer than MAX_LABEL characters are a problem.
- Timestamps: RFC 3339 (`T` or space, any fraction length, `Z` or `+hh:mm` / `+hhmm`);
  a time without an offset is read as UTC. Everything comes out as an aware UTC datetime.
  Year 0001 (Alertmanager's "0001-01-01T00:00:00Z") means unset: None.
- Links: only http(s) URLs are kept; anything else is dropped silently.
"""

import json
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, timezone

from handlers.intake import FieldProblem, PayloadError

ROOT = "$"
MAX_TITLE = 1024
MAX_DESCRIPTION = 16_384
MAX_KEY = 255
MAX_LABEL = 1024
MAX_LINK = 2048

_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?",
    re.ASCII,
)


def at(base: str, key: object) -> str:
    """The path of `key` inside the object at `base` (`base` "" is the body)."""
    return f"{base}.{key}" if base and base != ROOT else str(key)


def item(base: str, index: int) -> str:
    return f"{'' if base == ROOT else base}[{index}]"


def clip(text: str, limit: int) -> str:
    """Shorten text we do not control instead of rejecting the whole alert."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_time(text: str) -> datetime | None:
    """RFC 3339 to an aware UTC datetime; None for the 0001 'unset' value; ValueError if bad."""
    m = _TIME.fullmatch(text.strip())
    if not m:
        raise ValueError(text)
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    if year <= 1:
        return None
    micro = int((m.group(7) or "0")[:6].ljust(6, "0"))
    tz = UTC
    if m.group(9):
        offset = timedelta(hours=int(m.group(10)), minutes=int(m.group(11)))
        tz = timezone(-offset if m.group(9) == "-" else offset)
    second = min(second, 59)  # a leap second
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz).astimezone(UTC)


def label_value(value: object) -> str | None:
    """A label value as a string; None for null; ValueError for objects and lists."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise ValueError(value)


def dump(value: object) -> str:
    """Compact JSON text of a decoded JSON value (for nested details); ValueError if it can't."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValueError("cannot be serialised") from exc


def http_links(urls: Iterable[str | None]) -> tuple[str, ...]:
    """The http(s) URLs among `urls`, in order, without repeats or empties."""
    seen: dict[str, None] = {}
    for url in urls:
        if url and url.startswith(("https://", "http://")) and len(url) <= MAX_LINK:
            seen.setdefault(url, None)
    return tuple(seen)


class Fields:
    """Reads fields of a decoded JSON payload, collecting every problem instead of stopping.

    A field's path is spelled out only for a problem: every request reads a dozen
    fields, and most of them are fine or absent."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def fail(self, path: str, problem: str) -> None:
        self.problems.append(FieldProblem(path or ROOT, problem))

    def check(self) -> None:
        if self.problems:
            raise PayloadError(list(self.problems))

    def _missing(self, value: object, base: str, key: str, required: bool) -> bool:
        if value is None and required:
            self.fail(at(base, key), "is required")
        return value is None

    def is_object(self, value: object, path: str, *, required: bool = True) -> dict | None:
        keyed = path != ROOT and not path.endswith("]")  # only keys can be missing
        if keyed and value is None:
            if required:
                self.fail(path, "is required")
            return None
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return None
        return value

    def obj(self, parent: dict, key: str, base: str, *, required: bool = False) -> dict | None:
        return self._typed(parent, key, base, required, dict, "must be an object")

    def array(self, parent: dict, key: str, base: str, *, required: bool = False) -> list | None:
        return self._typed(parent, key, base, required, list, "must be a list")

    def _typed(self, parent: dict, key: str, base: str, required: bool, kind: type,
               problem: str):
        value = parent.get(key)
        if self._missing(value, base, key, required):
            return None
        if not isinstance(value, kind):
            self.fail(at(base, key), problem)
            return None
        return value

    def text(
        self, parent: dict, key: str, base: str, *, required: bool = False, max_len: int = 0
    ) -> str | None:
        """A string field; a required one must not be blank; longer than max_len is a problem."""
        value = parent.get(key)
        if self._missing(value, base, key, required):
            return None
        if not isinstance(value, str):
            self.fail(at(base, key), "must be a string")
            return None
        if required and not value.strip():
            self.fail(at(base, key), "must not be empty")
            return None
        if max_len and len(value) > max_len:
            self.fail(at(base, key), f"must be at most {max_len} characters")
            return None
        return value

    def choice(
        self, parent: dict, key: str, base: str, choices: Sequence[str], *, required: bool = False
    ) -> str | None:
        value = parent.get(key)
        if self._missing(value, base, key, required):
            return None
        if not isinstance(value, str) or value not in choices:
            self.fail(at(base, key), "must be one of " + ", ".join(choices))
            return None
        return value

    def time(self, parent: dict, key: str, base: str) -> datetime | None:
        value = parent.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(at(base, key), "must be a string")
            return None
        try:
            return parse_time(value)
        except (ValueError, OverflowError):
            self.fail(at(base, key), "must be an RFC 3339 timestamp")
            return None

    def labels(self, parent: dict, key: str, base: str) -> dict[str, str]:
        """An optional object of label values (see the module docstring)."""
        mapping = self.obj(parent, key, base)
        out: dict[str, str] = {}
        for name, raw in (mapping or {}).items():
            try:
                value = label_value(raw)
            except ValueError:
                self.fail(at(at(base, key), name), "must be a string")
                continue
            if value is None:
                continue
            if len(value) > MAX_LABEL:
                self.fail(at(at(base, key), name), f"must be at most {MAX_LABEL} characters")
            elif not isinstance(name, str) or not name or len(name) > MAX_KEY:
                self.fail(at(at(base, key), name), f"label names must be 1 to {MAX_KEY} characters")
            else:
                out[name] = value
        return out
