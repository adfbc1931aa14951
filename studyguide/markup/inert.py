"""What markup read back from the cache may hold before it reaches an output: nothing that runs or loads.

The cache's checksum finds an entry damaged on disk, not one planted whole (its checksum is written
with it). A cached value that becomes markup (a formula's SVG, the Anki note type's templates and
CSS) is therefore used only when it is inert; anything else is computed anew, as a damaged entry is.
Each check is an allowlist of exactly what this code writes (elements, attributes, references to the
document itself), so a value it would not write fails, and costs a computation, never an output.
Hand-written: the stdlib parsers read the markup; no kept library answers "is this already inert"
without rewriting it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

# A formula's SVG as ziamath draws it and svg.py rewrites it.
SVG_ELEMENTS = frozenset({"svg", "g", "defs", "symbol", "use", "path", "rect", "line", "title", "desc"})
SVG_ATTRIBUTES = frozenset(
    {"id", "class", "d", "x", "y", "x1", "y1", "x2", "y2", "width", "height", "viewBox", "fill", "fill-rule"}
    | {"stroke", "stroke-width", "transform", "href", "role", "focusable", "style", "aria-hidden", "version"}
)
# The note type's card templates (templates/anki/*.html with the labels filled in): layout only.
CARD_ELEMENTS = frozenset(
    {"div", "span", "p", "hr", "br", "ul", "ol", "li", "b", "i", "em", "strong", "small", "sub", "sup", "code"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "section", "header", "footer", "blockquote", "pre", "dl", "dt", "dd"}
)
CARD_ATTRIBUTES = frozenset({"class", "id", "lang", "dir"})
# {{Answer}}, {{#Core}}...{{/Core}}, and the cloze note type's {{cloze:Text}}: no other filter, no tts
FIELD_REFERENCE = re.compile(r"\{\{(?:[#/^]?[A-Za-z]+|cloze:[A-Za-z]+)\}\}")
# Anki's own markup in a card's text (renderers/anki/fields.py neutralises it in every field and label).
ANKI_MARKUP = re.compile(r"\[(?=(?i:sound:|/?anki:|\[type:|/?latex\]|/?\$\$?\]))|\{\{")
# What could make a stylesheet load something or end the <style> element holding it; a backslash
# could spell any of these in an escape, so it is refused too.
ACTIVE_CSS = re.compile(r"url\s*\(|image-set|image\s*\(|@import|expression|behavior|binding|[\\<]", re.IGNORECASE)


def css_inert(css: str) -> bool:
    """Tell whether a stylesheet (or a style attribute) loads nothing and cannot end its <style> element."""
    return ACTIVE_CSS.search(css) is None


def svg_inert(svg: str) -> bool:
    """Tell whether a formula's SVG holds only the drawing elements svg.py writes, each referring only inside it."""
    try:
        root = ET.fromstring(svg)
    except ET.ParseError:
        return False
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag.rsplit("}", 1)[-1] not in SVG_ELEMENTS:
            return False
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if local not in SVG_ATTRIBUTES or (local == "href" and not value.startswith("#")):
                return False
            if local == "style" and not css_inert(value):
                return False
    return True


class _CardMarkup(HTMLParser):
    """Finds whether card template markup holds anything beyond layout elements with class, id, lang and dir."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)  # text as written: a character reference is never markup
        self.inert = True

    def handle_data(self, data: str) -> None:
        if "<" in data or ANKI_MARKUP.search(FIELD_REFERENCE.sub("", data)):
            self.inert = False  # a stray "<" (a tag this parser did not finish), or Anki markup beyond a field

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in CARD_ELEMENTS or any(name not in CARD_ATTRIBUTES for name, _ in attrs):
            self.inert = False

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag not in CARD_ELEMENTS:
            self.inert = False

    def handle_comment(self, data: str) -> None:
        self.inert = False  # a comment could hide markup from this check that a browser reads otherwise

    def handle_decl(self, decl: str) -> None:
        self.inert = False

    def handle_pi(self, data: str) -> None:
        self.inert = False

    def unknown_decl(self, data: str) -> None:
        self.inert = False


def card_inert(html: str) -> bool:
    """Tell whether a card template holds only layout elements (class, id, lang, dir) and plain field references."""
    parser = _CardMarkup()
    parser.feed(html)
    parser.close()
    return parser.inert
