"""A matplotlib figure as SVG markup to put inside the report's HTML.

Deterministic: a fixed hash salt for matplotlib's clip-path and marker ids, no date
and no creator in the metadata (it is dropped). Several charts share one HTML
document, so every id still referred to is prefixed with the chart's name (the rest
go), and the global
`*{stroke-linejoin…}` style each SVG carries becomes attributes of its root. Style
attributes become presentation attributes: WeasyPrint reads an inline SVG's style
attributes as HTML CSS too, and logs a warning for every SVG property in them.
Accessible: role="img", a <title> and a <desc> that say what the chart shows.
Tags are written without a prefix and references with SVG 2's plain `href`:
registering prefixes with ElementTree would change how every later ElementTree user
(WeasyPrint among them) reads SVG.
"""

import io
import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

# Text as <text> (searchable, selectable, extracted from the PDF), in the report's font;
# a "$" in a source's name is a dollar sign, not mathematics.
STYLE: "dict[RcKeyType, Any]" = {
    "svg.hashsalt": "tandem-report",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "text.parse_math": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#444444",
    "axes.labelcolor": "#222222",
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "text.color": "#222222",
}
_URL_REF = re.compile(r"url\(#([^)]+)\)")
_HREF = f"{{{XLINK_NS}}}href"


def inline(figure: "Figure", name: str, title: str, description: str) -> str:
    """`figure` as an <svg> element, ids prefixed with `name`, titled and described."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    root = ET.fromstring(buffer.getvalue())
    for element in root.iter():
        element.tag = element.tag.removeprefix(f"{{{SVG_NS}}}")
    _prune(root)
    _references(root, name)
    _flatten(root)
    _presentation(root)
    for attr in ("width", "height"):
        root.attrib.pop(attr, None)
    root.attrib.update({"xmlns": SVG_NS, "class": "chart", "role": "img",
                        "aria-labelledby": f"{name}-title {name}-desc"})
    for index, (tag, text) in enumerate((("title", title), ("desc", description))):
        element = ET.Element(tag, id=f"{name}-{tag}")
        element.text = text
        root.insert(index, element)
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="unicode")


def _prune(root: ET.Element) -> None:
    """Without matplotlib's metadata and global style, and the defs that leaves empty."""
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in ("metadata", "style"):
                parent.remove(child)
    for child in list(root):
        if child.tag == "defs" and len(child) == 0:
            root.remove(child)


def _references(root: ET.Element, name: str) -> None:
    """Keeps only the ids something refers to (clip paths, tick markers), prefixed."""
    used = set()
    for element in root.iter():
        target = element.attrib.pop(_HREF, None)
        if target is not None:
            used.add(target.removeprefix("#"))
            element.set("href", f"#{name}-{target.removeprefix('#')}")
        for attr, value in element.attrib.items():
            used.update(_URL_REF.findall(value))
            element.set(attr, _URL_REF.sub(rf"url(#{name}-\1)", value))
    for element in root.iter():
        own = element.attrib.pop("id", None)
        if own in used:
            element.set("id", f"{name}-{own}")


def _flatten(parent: ET.Element) -> None:
    """Groups left with no attributes (matplotlib's per-artist ids) give way to their
    children: fewer elements for WeasyPrint to style."""
    children: list[ET.Element] = []
    for child in parent:
        _flatten(child)
        if child.tag == "g" and not child.attrib:
            children.extend(child)
        else:
            children.append(child)
    parent[:] = children


def _presentation(root: ET.Element) -> None:
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    for element in root.iter():
        for declaration in element.attrib.pop("style", "").split(";"):
            prop, _, value = declaration.partition(":")
            if prop.strip() and value.strip():
                element.set(prop.strip(), value.strip())
