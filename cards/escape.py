"""Escaping text that came from a source or a person, once per chat surface.

Every renderer passes such text through here, so an alert titled
`[click me](https://evil.example/x)` or `<!channel>` is shown literally and links or
mentions only ever come from Tandem's own markup.

- Slack mrkdwn: `&`, `<` and `>` become entities, which neutralises `<!channel>`,
  `<@U…>` and `<url|text>`. Slack has no way to escape `*`, `_`, `~` or backticks,
  so renderers put source text in `plain_text` objects (or rich text) wherever Block
  Kit allows, and keep mrkdwn for Tandem's own words.
- Adaptive Card markdown (TextBlock, FactSet values) and Teams markdown messages:
  a backslash before every character that can start markup (CommonMark's escapes,
  which Teams honours), plus list, heading and rule markers at the start of a line.
- Inside a Teams `<at>` tag the name is XML text: entities.
"""

import re

_SLACK = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_SLACK_BACK = re.compile(r"&(amp|lt|gt);")
_SLACK_CHARS = {"amp": "&", "lt": "<", "gt": ">"}

# Emphasis, links and images, code, raw HTML/`<at>`, entities, headings, strikethrough.
_MARKDOWN_ANYWHERE = re.compile(r"([\\*_\[\]`<>&#~|!])")
# At a line's start (after spaces): bullets, rules, setext underlines, ordered lists.
_MARKDOWN_LINE_START = re.compile(r"(?m)^([ \t]*)(?:([-+=])|(\d{1,9})([.)]))")
_MARKDOWN_BACK = re.compile(r"\\([\\*_\[\]`<>&#~|!\-+=.)])")


def slack(text: str) -> str:
    """For Slack mrkdwn and message text: only the three control characters."""
    return text.translate(_SLACK)


def unslack(text: str) -> str:
    """The inverse of slack(): what a Slack client shows for escaped text."""
    return _SLACK_BACK.sub(lambda m: _SLACK_CHARS[m.group(1)], text)


def markdown(text: str) -> str:
    """For Adaptive Card TextBlocks and FactSet values, and Teams markdown messages."""
    out = _MARKDOWN_ANYWHERE.sub(r"\\\1", text)
    return _MARKDOWN_LINE_START.sub(_line_start, out)


def _line_start(match: re.Match[str]) -> str:
    indent, marker, digits, dot = match.groups()
    return f"{indent}\\{marker}" if marker else f"{indent}{digits}\\{dot}"


def unmarkdown(text: str) -> str:
    """The inverse of markdown(): the characters a markdown renderer shows."""
    return _MARKDOWN_BACK.sub(r"\1", text)


def printable(text: object) -> str:
    """For a terminal or a log line: control characters (a newline in a platform's error,
    an escape sequence in a channel name) shown escaped, so they cannot forge lines."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def terminal(text: object) -> str:
    """For a terminal, text of several lines: each line printable(), its tabs kept, so
    an escape sequence in a title cannot recolour, move or clear the screen."""
    return "\n".join("\t".join(printable(part) for part in line.split("\t"))
                     for line in str(text).split("\n"))


def xml(text: str) -> str:
    """For text inside Teams markup such as the `<at>` of a mention."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
