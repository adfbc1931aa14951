"""The PDF writer's work-arounds (speedups.py) write exactly the bytes WeasyPrint and pydyf write without them."""

from __future__ import annotations

import io

import pydyf
import weasyprint
from weasyprint import svg

from studyguide.renderers.pdf.speedups import _drawn, cached_page_references, faster_writing, remembered_paths

# Paths of every kind WeasyPrint's parser reads: absolute and relative commands, arcs, smooth curves,
# horizontal and vertical lines, markers (which read the vertices), percentages and exes that depend
# on the image's size and font size, a path drawn again through <use> and in other images, and data that fails to parse.
SHAPES = """
<defs><marker id="m" markerWidth="4" markerHeight="4" refX="2" refY="2"><circle cx="2" cy="2" r="2"/></marker>
<path id="glyph" d="M1 1C2 3 4 5 6 7S9 9 10 10Q11 12 13 13T15 15L16 16H18V19Z"/></defs>
<path d="M10 10 a5 7 30 1 0 20 5 l3-4 h-6 v8 z m40 0 A10 10 0 0 1 60 20" marker-mid="url(#m)"
 fill="none" stroke="black"/>
<path d="M 10% 20% L 50% 80%" stroke="black"/><path d="M 1ex 2ex L 3ex 1ex" stroke="black"/>
<use href="#glyph" x="20"/><use href="#glyph" x="40" y="3"/><use href="#glyph" transform="scale(2)"/>
<path d="M 1 1 L 2" stroke="black"/><path d="M 1 1 L 2" stroke="black"/>
"""
IMAGES = (  # each after the first differs from it in one thing a path's drawing depends on
    'viewBox="0 0 100 50"',
    'viewBox="0 0 80 50"',  # the width percentages refer to
    'viewBox="0 0 100 60"',  # the height
    'viewBox="0 0 100 50" font-size="20"',  # the font size an ex is half of
    'viewBox="0 0 100 50"',  # the first again
)
HTML = "<p>text</p>".join(f'<svg width="200" height="100" {image}>{SHAPES}</svg>' for image in IMAGES)


def written(document: weasyprint.Document) -> bytes:
    """Return the document's PDF bytes (a fixed identifier, so two writes compare)."""
    out = io.BytesIO()
    document.write_pdf(out, pdf_identifier=b"speedups", pdf_variant="pdf/ua-1")
    return out.getvalue()


def test_remembered_paths_write_the_same_bytes() -> None:
    """Each path drawn once and repeated after gives the bytes WeasyPrint's own drawing gives; it is undone after."""
    document = weasyprint.HTML(string=HTML).render()
    own = written(document)
    original = svg.TAGS["path"]
    _drawn.clear()
    with remembered_paths():
        assert svg.TAGS["path"] is not original
        first = written(document)
        assert _drawn, "no path was remembered"
        again = written(document)  # every path now taken from what the first write remembered
    assert svg.TAGS["path"] is original
    assert first == own
    assert again == own
    with faster_writing():
        assert written(weasyprint.HTML(string=HTML).render()) == own


def test_cached_page_references_follow_added_pages() -> None:
    """The pydyf work-around returns what pydyf's own getter does, also after more pages; pydyf is restored after."""
    own = pydyf.PDF.__dict__["page_references"]
    with cached_page_references():
        assert pydyf.PDF.__dict__["page_references"] is not own
        pdf = pydyf.PDF()
        for _ in range(3):
            pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
            assert pdf.page_references == own.fget(pdf)
        assert len(pdf.page_references) == 3
    assert pydyf.PDF.__dict__["page_references"] is own
