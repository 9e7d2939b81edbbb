"""Reading a console page the way a person does: the text of an element, the values of
a form's hidden fields, which buttons there are."""

import html
import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class _Text(HTMLParser):
    """The text inside the first element with the attribute `name` of `value` (for
    `class`, one of its classes)."""

    def __init__(self, name: str, value: str):
        super().__init__()
        self.wanted, self.depth, self.parts, self.found = (name, value), 0, [], False

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in VOID
        elif not self.found and any(self._matches(k, v) for k, v in attrs):
            self.found, self.depth = True, int(tag not in VOID)

    def _matches(self, name: str, value: str | None) -> bool:
        if name != self.wanted[0] or value is None:
            return False
        return self.wanted[1] in value.split() if name == "class" else value == self.wanted[1]

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def text(page: str, element_id: str, attribute: str = "id") -> str | None:
    """The text of the element with that id, its white space collapsed; None if absent."""
    parser = _Text(attribute, element_id)
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split()) if parser.found else None


def said(page: str) -> str:
    """The message area's sentence ("" when it says nothing)."""
    return text(page, "said") or ""


def buttons(page: str) -> list[str]:
    """The titles of the page's buttons and form disclosures, in order."""
    found = re.findall(r"<(?:button|summary)[^>]*>(.*?)</(?:button|summary)>", page, re.S)
    return [html.unescape(" ".join(b.split())) for b in found]


def actions(page: str) -> list[str]:
    """An alert's page's buttons in order: one-click ones and the forms' disclosures."""
    found = re.findall(r'<summary[^>]*>(.*?)</summary>|class="act-one[^"]*">.*?<button[^>]*>'
                       r'(.*?)</button>', page, re.S)
    return [html.unescape(" ".join((a or b).split())) for a, b in found]


def field(page: str, name: str) -> str:
    """The value of the first hidden field `name`."""
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert found, f"no field {name}"
    return html.unescape(found.group(1))


def claim(page: str, short_id: str) -> tuple[str, dict[str, str]]:
    """Where the board's Claim button of `short_id` posts, and what."""
    button = re.search(rf'formaction="([^"]+)" name="version" value="(\d+)" id="claim-{short_id}"',
                       page)
    assert button, f"no Claim for {short_id}"
    return button.group(1), form(page, "alert.claim") | {"version": button.group(2)}


def form(page: str, action: str) -> dict[str, str]:
    """The hidden fields of the form for `action` on an alert's page or the board."""
    start = page.index(f'name="action" value="{action}"')
    begin = page.rindex("<form", 0, start)
    end = page.index("</form>", start)
    return {k: html.unescape(v) for k, v in
            re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page[begin:end])}
