"""Parsing the text of a chat command (`/tandem ...` in Slack, a message to the bot in Teams).

`parse()` turns one line into a typed request, or raises `Usage` with a sentence
that shows how the command is written. Running the request is run.py's job.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from handlers.enums import Classification, Verb
from handlers.reads.scoped import STATES
from handlers.significant import TYPED
from handlers.silences.matching import every_text, parse_matchers
from handlers.timing.parse import looks_like_clock, parse_duration

HELP = "\n".join([
    "Tandem commands:",
    "  list [open|mine|unclaimed]   alerts you can see (default: open)",
    "  show ID                      one alert, e.g. show ACME-142",
    "  history ID                   who did what to an alert",
    "  claim ID | release ID        take or give up ownership",
    "  escalate ID [reason]         raise the escalation level",
    "  propose ID FIX [note]        propose a fix from the remediation catalogue",
    "  approve ID | reject ID [reason]",
    "  withdraw ID [reason]         take back the fix you proposed",
    "  retry ID [reason]            carry out a failed fix again",
    "  done ID NOTE                 a failed (or manual) fix was done by hand: say what",
    "  resolve ID [as CLASSIFICATION] [note] | reopen ID",
    "                               CLASSIFICATION (an alert from Microsoft Graph): unknown,",
    "                               falsePositive, truePositive, informationalExpectedActivity",
    "  snooze ID 1h                 quiet an alert for a while",
    "  significant ID REASON        flag a significant incident (NIS2): its report clocks start",
    "  significant ID early-warning|notification|final-report [NOTE]",
    "                               record a NIS2 report sent to the authority (internal staff)",
    "  silence add key=value [key=value ...] for 2h [from WHEN] [every DAYS HH:MM-HH:MM] [reason]",
    "                               e.g. silence add service=db for 4h from sat 22:00 patching",
    "  silence list | silence expire N",
    "  oncall                       who is on call now and next",
    "  oncall cover START END       cover on-call, e.g. oncall cover tomorrow 18:00-22:00",
    "  help                         this text",
])


class Usage(Exception):
    """A command written wrongly; the message says how to write it."""


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Act:
    """A state change through the command API."""

    verb: Verb
    alert: str
    args: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Read:
    what: str  # "list" | "show" | "history"
    arg: str


@dataclass(frozen=True)
class SilenceAdd:
    matchers: dict[str, str]
    length: timedelta
    reason: str
    start: str | None = None  # as typed; read in the tenant's time zone (timing/parse.py)
    every: str | None = None  # a weekly window, checked (silences.every_text)


@dataclass(frozen=True)
class SilenceList:
    pass


@dataclass(frozen=True)
class SilenceExpire:
    silence_id: int


@dataclass(frozen=True)
class OnCall:
    rest: str = ""  # "" shows who is on; "cover START END" puts the asker on call


Request = Help | Act | Read | SilenceAdd | SilenceList | SilenceExpire | OnCall

# Alert verbs written "NAME ID [free text]": the free text goes to this argument.
_REST_ARG: dict[str, tuple[Verb, str | None]] = {
    "claim": (Verb.CLAIM, None),
    "release": (Verb.RELEASE, None),
    "reopen": (Verb.REOPEN, None),
    "approve": (Verb.APPROVE, "reason"),
    "reject": (Verb.REJECT, "reason"),
    "withdraw": (Verb.WITHDRAW, "reason"),
    "escalate": (Verb.ESCALATE, "reason"),
    "retry": (Verb.RETRY, "reason"),
}
# As people type them: any case; the value Graph takes.
_CLASSIFICATIONS = {c.value.lower(): c.value for c in Classification}


def parse(text: str) -> Request:
    words = text.split(maxsplit=1)
    if not words:
        return Help()
    name, rest = words[0].lower(), (words[1] if len(words) > 1 else "")
    if name in _REST_ARG:
        return _rest_verb(name, rest)
    handler = _OTHERS.get(name)
    return handler(rest) if handler else Help()


def _alert_and_rest(rest: str, usage: str) -> tuple[str, str]:
    parts = rest.split(maxsplit=1)
    if not parts:
        raise Usage(f"Usage: {usage}")
    return parts[0].upper(), (parts[1].strip() if len(parts) > 1 else "")


def _rest_verb(name: str, rest: str) -> Act:
    verb, key = _REST_ARG[name]
    usage = f"{name} ID" + (f" [{key}]" if key else "")
    alert, extra = _alert_and_rest(rest, usage)
    if extra and key is None:
        raise Usage(f"{name} takes only an alert id. Usage: {usage}")
    args = {"mode": "next_level"} if verb is Verb.ESCALATE else {}
    if key and extra:
        args[key] = extra
    return Act(verb, alert, args)


def _propose(rest: str) -> Act:
    usage = "propose ID FIX [note]"
    alert, extra = _alert_and_rest(rest, usage)
    parts = extra.split(maxsplit=1)
    if not parts:
        raise Usage(f"Name the fix. Usage: {usage}")
    args = {"remediation": parts[0]}
    if len(parts) > 1:
        args["note"] = parts[1].strip()
    return Act(Verb.PROPOSE, alert, args)


def _resolve(rest: str) -> Act:
    """`resolve ID [as CLASSIFICATION] [note]`: "as" and a classification's name, or the
    note begins there."""
    alert, extra = _alert_and_rest(rest, "resolve ID [as CLASSIFICATION] [note]")
    words = extra.split(maxsplit=2)
    args: dict[str, str] = {}
    if len(words) >= 2 and words[0].lower() == "as" and words[1].lower() in _CLASSIFICATIONS:
        args["classification"] = _CLASSIFICATIONS[words[1].lower()]
        extra = words[2].strip() if len(words) > 2 else ""
    if extra:
        args["note"] = extra
    return Act(Verb.RESOLVE, alert, args)


def _done(rest: str) -> Act:
    usage = "done ID NOTE, e.g. done ACME-142 blocked 203.0.113.9 at the edge firewall"
    alert, extra = _alert_and_rest(rest, usage)
    if not extra:
        raise Usage(f"Say what was done. Usage: {usage}")
    return Act(Verb.DONE, alert, {"note": extra})


def _snooze(rest: str) -> Act:
    usage = "snooze ID DURATION, e.g. snooze ACME-142 1h"
    alert, extra = _alert_and_rest(rest, usage)
    if not extra:
        raise Usage(f"Say for how long. Usage: {usage}")
    return Act(Verb.SNOOZE, alert, {"duration": extra})


_SIGNIFICANT_USAGE = ("significant ID REASON, e.g. significant ACME-142 customer data "
                      "exposed | significant ID early-warning|notification|final-report [NOTE]")


def _significant(rest: str) -> Act:
    """`significant ID REASON` flags the alert; a report's name first records that report."""
    alert, extra = _alert_and_rest(rest, _SIGNIFICANT_USAGE)
    words = extra.split(maxsplit=1)
    if words and words[0].lower() in TYPED.values():
        note = words[1].strip() if len(words) > 1 else ""
        return Act(Verb.SIGNIFICANT, alert, {"stage": words[0].lower(), "note": note})
    if not extra:
        raise Usage(f"Say why it is significant. Usage: {_SIGNIFICANT_USAGE}")
    return Act(Verb.SIGNIFICANT, alert, {"note": extra})


def _read(what: str, usage: str) -> Callable[[str], Read]:
    def parse_read(rest: str) -> Read:
        alert, extra = _alert_and_rest(rest, usage)
        if extra:
            raise Usage(f"{what} takes only an alert id. Usage: {usage}")
        return Read(what, alert)
    return parse_read


def _list(rest: str) -> Read:
    state = rest.strip().lower() or "open"
    if state not in STATES:
        raise Usage(f"Unknown list {state!r}. Usage: list [open|mine|unclaimed]")
    return Read("list", state)


def _oncall(rest: str) -> OnCall:
    return OnCall(rest.strip())


def _silence(rest: str) -> SilenceAdd | SilenceList | SilenceExpire:
    parts = rest.split(maxsplit=1)
    sub = parts[0].lower() if parts else ""
    tail = parts[1] if len(parts) > 1 else ""
    if sub == "list" and not tail.strip():
        return SilenceList()
    if sub == "expire":
        if not tail.strip().isdigit():
            raise Usage("Usage: silence expire N (the number shown by silence list)")
        return SilenceExpire(int(tail))
    if sub == "add":
        return _silence_add(tail)
    raise Usage("Usage: silence add key=value [key=value ...] for 2h [reason] | "
                "silence list | silence expire N")


_SILENCE_USAGE = ("Usage: silence add key=value [key=value ...] for 2h [from WHEN] "
                  "[every DAYS HH:MM-HH:MM] [reason]")


def _silence_add(text: str) -> SilenceAdd:
    words = text.split()
    if "for" not in words:
        raise Usage(f"Say for how long with 'for'. {_SILENCE_USAGE}")
    at = words.index("for")
    if at + 1 >= len(words):
        raise Usage(f"Say for how long after 'for'. {_SILENCE_USAGE}")
    try:
        matchers = parse_matchers(words[:at])
        length = parse_duration(words[at + 1])
        start, every, rest = _silence_times(words[at + 2:])
    except ValueError as error:
        raise Usage(f"Silence: {error}. {_SILENCE_USAGE}") from None
    return SilenceAdd(matchers, length, " ".join(rest), start, every)


def _silence_times(words: list[str]) -> tuple[str | None, str | None, list[str]]:
    """`from WHEN` (one word, or a day and a time of day) and `every DAYS HH:MM-HH:MM`,
    in either order, before the reason."""
    start = every = None
    while words and words[0].lower() in ("from", "every"):
        if words[0].lower() == "from":
            size = 2 if len(words) > 2 and looks_like_clock(words[2]) else 1
            if len(words) < 2:
                raise ValueError("say when it starts after 'from'")
            start, words = " ".join(words[1:1 + size]), words[1 + size:]
        else:
            every, words = every_text(" ".join(words[1:3])), words[3:]
    return start, every, words


_OTHERS: dict[str, Callable[[str], Request]] = {
    "propose": _propose,
    "resolve": _resolve,
    "done": _done,
    "snooze": _snooze,
    "significant": _significant,
    "show": _read("show", "show ID"),
    "history": _read("history", "history ID"),
    "list": _list,
    "silence": _silence,
    "oncall": _oncall,
}
