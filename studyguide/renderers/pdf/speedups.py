"""Two work-arounds that make WeasyPrint write the same PDF bytes faster, each undone when writing ends.

Both are hand-written because no release of pydyf or WeasyPrint does this; both versions are pinned
(pyproject.toml), and tests compare the bytes written with and without each.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

MAX_PATHS = 10_000  # drawn paths remembered in one process: a guide draws a few thousand distinct glyphs

# Each SVG path's drawing operators and marker vertices, keyed by what the drawing depends on: its
# data, the font size (an "ex" in it) and, only for data with a percentage, the two lengths that
# percentages refer to (so a glyph's outline is parsed once for formulas of every size). One
# process, one pinned WeasyPrint.
_drawn: dict[tuple[str, float, float, float], tuple[list[bytes], list[Any]]] = {}


@contextlib.contextmanager
def cached_page_references() -> Iterator[None]:
    """While a PDF is written, make pydyf's `PDF.page_references` cheap to read; restore pydyf's getter after.

    pydyf 0.13 builds a new tuple of every page's reference on each read; PDF/UA tagging reads it
    once per structure element, so writing took time in pages x elements. The cached tuple is
    rebuilt whenever a page has been added (pages are only ever appended), so it is always the
    value pydyf's own getter returns (tested against it).
    """
    import pydyf

    original = pydyf.PDF.__dict__["page_references"]

    def page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
        kids = pdf.pages["Kids"]
        cached = pdf.__dict__.get("_studyguide_page_references")
        if cached is None or cached[0] != len(kids):
            cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
            pdf.__dict__["_studyguide_page_references"] = cached
        references: tuple[bytes, ...] = cached[1]
        return references

    pydyf.PDF.page_references = property(page_references)
    try:
        yield
    finally:
        pydyf.PDF.page_references = original


@contextlib.contextmanager
def remembered_paths() -> Iterator[None]:
    """While a PDF is written, draw each distinct SVG path once per process and repeat its operators after.

    A formula image draws every glyph through `<use>`, and WeasyPrint 70 parses a path's data anew
    on each draw: in the printed guide that parsing was about a fifth of the layout's time. Its
    result is only the operators appended to the content stream and the vertices appended for
    markers, both a function of the key; they are recorded on the first draw and appended again on
    the next. A path that fails to parse is never remembered.
    """
    from weasyprint import svg

    original = svg.TAGS["path"]

    def path(drawing: Any, node: Any, font_size: float) -> None:
        data = node.get("d", "")
        key = (data, font_size, drawing.inner_width, drawing.inner_height) if "%" in data else (data, font_size, 0, 0)
        found = _drawn.get(key)
        if found is not None:
            drawing.stream.stream.extend(found[0])
            node.vertices.extend(found[1])
            return
        operators, vertices = len(drawing.stream.stream), len(node.vertices)
        original(drawing, node, font_size)  # a PointError passes through, as WeasyPrint expects
        if len(_drawn) >= MAX_PATHS:
            _drawn.clear()
        _drawn[key] = (drawing.stream.stream[operators:], list(node.vertices)[vertices:])

    svg.TAGS["path"] = path
    try:
        yield
    finally:
        svg.TAGS["path"] = original


@contextlib.contextmanager
def faster_writing() -> Iterator[None]:
    """Apply both work-arounds while a PDF is written."""
    with cached_page_references(), remembered_paths():
        yield
