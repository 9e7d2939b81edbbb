"""Logging for `tandem serve` and the CLI: plain text, or JSON lines with
TANDEM_LOG_FORMAT=json, each record carrying the id of the HTTP request it was logged
while handling (bot/request_ids.py sets it; a filter on Tandem's handler adds it).

A JSON line is one object: time (ISO-8601, UTC), level, logger, message, then any
extra fields (`log.info(..., extra={...})`, request_id) and the exception as a string.
"""

import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Literal, TextIO

import orjson

from cards.escape import printable

LogFormat = Literal["text", "json"]
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
TEXT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# What every LogRecord has; anything else on a record was passed as an extra field.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"}


class RequestIdFilter(logging.Filter):
    """Adds request_id (None outside a request) to every record the handler emits."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class TextFormatter(logging.Formatter):
    """The plain format, with " request_id=..." when there is one. A message quoting a
    source or a platform (an error, an id, a channel) stays on its line: its control
    characters are shown escaped, so it cannot forge a record; a traceback follows it
    on lines of its own."""

    def __init__(self) -> None:
        super().__init__(TEXT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        return printable(super().formatMessage(record))

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        rid = getattr(record, "request_id", None)
        return f"{line} request_id={rid}" if rid else line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC)
        line: dict[str, object] = {
            "time": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        line |= {k: v for k, v in vars(record).items() if k not in _STANDARD and v is not None}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        return orjson.dumps(line, default=str).decode()


class _Stderr(logging.StreamHandler):
    """Writes to sys.stderr as it is at each record (a test runner may swap it), like
    logging's own last-resort handler."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def handler(fmt: LogFormat, stream: TextIO | None = None) -> logging.Handler:
    """A handler writing to `stream` (default: stderr) in the chosen format, with the
    request id filter."""
    out = logging.StreamHandler(stream) if stream else _Stderr()
    out.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    out.addFilter(RequestIdFilter())
    out.set_name("tandem")
    return out


def configure(fmt: LogFormat, level: int) -> None:
    """Replace Tandem's handler on the root logger (others, e.g. pytest's, stay) and let
    records of `level` and above through."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "tandem"]:
        root.removeHandler(old)
    new = handler(fmt)
    new.setLevel(level)
    root.addHandler(new)
    if root.getEffectiveLevel() > level:
        root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per job run
