"""Mermaid diagrams drawn at build time, as SVG whose labels are text, and made safe before any output holds them.

mermaid's own code draws them (PyPI `mermaidx`, pinned: mermaid 11 in an embedded QuickJS, no
browser, no network), each in a fresh context so ids and bytes repeat from build to build. Labels
are SVG text (`htmlLabels: false`: WeasyPrint draws no `foreignObject`), set in DejaVu Sans, the
font mermaidx measures them with. The drawing is content, so it is untrusted: `sanitize` keeps
only drawing elements and attributes (no script, no event handler, no link or style that loads
anything), and gives the diagram's ids a prefix of their own, so diagrams on one page never clash.
Drawings are kept in the cache (`diagram` namespace), keyed by mermaidx's version and the source.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from studyguide.store.cache import Cache

SVG_NS = "http://www.w3.org/2000/svg"
XLINK = "{http://www.w3.org/1999/xlink}href"
THEME = "neutral"  # greys: prints well, and turns dark on the page and cards by inverting its colours
CONFIG: dict[str, Any] = {
    "htmlLabels": False,
    "flowchart": {"htmlLabels": False},
    "securityLevel": "strict",
    "fontFamily": "DejaVu Sans, Verdana, Arial, sans-serif",
    "deterministicIds": True,
}
# mermaid in QuickJS takes seconds, and more than linear time in the nodes (measured, drawn once and then
# cached: a 10-node flowchart 12 s, 20 nodes 24 s, 40 nodes (1,814 characters) 76 s; 30 messages 11 s).
MAX_DIAGRAM_CHARS = 2_000
RENDER_ID = "my-svg"  # the id mermaidx gives every drawing (renamed per diagram)
DRAWING = frozenset(
    "svg g path rect circle ellipse line polyline polygon text tspan textPath defs marker style title desc use "
    "clipPath mask linearGradient radialGradient stop pattern symbol switch".split()
)
LOADS = re.compile(r"@import[^;]*;?|url\(\s*(?![\"']?#)[^)]*\)|expression\(", re.IGNORECASE)


class DiagramError(Exception):
    """A diagram mermaid cannot draw (its message), or one whose drawing cannot be kept."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line  # the line of the diagram's source mermaid names (1 = the line after the fence)


@functools.cache
def version() -> str:
    """Return the drawing library's version (it carries mermaid's code)."""
    from importlib.metadata import version as installed

    return f"mermaidx {installed('mermaidx')}"


def draw(source: str, cache: Cache, svg_needed: bool = True) -> str:
    """Return a diagram's safe SVG, drawn once across builds; raise DiagramError with mermaid's message.

    Without `svg_needed` a diagram whose drawing is in the cache is valid and '' is returned.
    """
    if len(source) > MAX_DIAGRAM_CHARS:
        raise DiagramError(f"diagram of {len(source)} characters: more than the limit of {MAX_DIAGRAM_CHARS}")
    head = f"{version()}\0{THEME}\0{json.dumps(CONFIG, sort_keys=True)}\0"
    key = cache.key("diagram", head, source)
    if not svg_needed and cache.has("diagram", key):
        return ""
    stored = cache.get("diagram", key)
    if stored is not None:
        text = stored.decode("utf-8", errors="replace")
        if text.startswith("<svg") and text.endswith("</svg>"):
            return sanitize(text, _prefix(source))  # what the cache holds is checked again: it could be planted
    svg = sanitize(_mermaid(source), _prefix(source))
    cache.put("diagram", key, svg.encode())
    return svg


def _prefix(source: str) -> str:
    """Return the diagram's own id prefix."""
    return "d" + hashlib.sha256(source.encode()).hexdigest()[:10]


@functools.cache
def _engine() -> Any:
    """Return this process's mermaid engine (loaded once, at the first diagram)."""
    from mermaidx.engine import Engine

    engine = Engine()
    engine.start()
    return engine


def _mermaid(source: str) -> str:
    """Draw a diagram with mermaid; raise DiagramError with mermaid's own message."""
    from mermaidx.engine import MermaidRenderError

    try:
        return str(_engine().render_svg(source, THEME, CONFIG, None))
    except MermaidRenderError as exc:
        text = str(exc).replace("Error: ", "", 1)
        found = re.search(r"on line (\d+)", text)
        lines = [line.strip() for line in text.split("\n") if line.strip() and not set(line.strip()) <= set("-^")]
        message = " ".join(dict.fromkeys([lines[0], *lines[2:]])) if lines else "mermaid cannot draw it"
        raise DiagramError(message, int(found.group(1)) if found else 0) from None


def sanitize(svg: str, prefix: str) -> str:
    """Return a drawing with only drawing elements and attributes that load nothing; its ids given `prefix`."""
    try:
        root = ET.fromstring(svg)
    except ET.ParseError as exc:
        raise DiagramError(f"the drawing is not well-formed SVG ({exc})") from None
    if any(element.tag.rsplit("}", 1)[-1] == "foreignObject" for element in root.iter()):
        raise DiagramError(
            "its labels are HTML, which the PDF cannot draw: leave out the init directive that asks for it"
        )
    _clean(root, prefix)
    root.set("xmlns", SVG_NS)
    return ET.tostring(root, encoding="unicode")


def _clean(element: ET.Element, prefix: str) -> None:
    """Keep an element's drawing children and safe attributes, with plain tag names (no namespace prefixes)."""
    element.tag = element.tag.rsplit("}", 1)[-1]
    for name in list(element.attrib):
        value = element.attrib.pop(name)
        local = "href" if name == XLINK else name.rsplit("}", 1)[-1]
        if "}" in name and name != XLINK or local.lower().startswith("on") or "javascript:" in value.lower():
            continue
        if local == "href" and not value.startswith("#"):
            continue
        if local == "style" and LOADS.search(value):
            continue
        element.set(local, value.replace(RENDER_ID, prefix))
    if element.tag == "style":
        element.text = LOADS.sub("", (element.text or "").replace(RENDER_ID, prefix))
    for child in list(element):
        if child.tag.rsplit("}", 1)[-1] in DRAWING:
            _clean(child, prefix)
        else:
            element.remove(child)
