"""Footnotes in the PDF: each laid out a fixed number of times, however many share its page (footnote_area.py)."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest
import weasyprint
from weasyprint.formatting_structure import boxes, build

from studyguide.build.pipeline import load
from studyguide.renderers.pdf.footnote_area import measured_footnotes
from studyguide.renderers.pdf.layout import Printer

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOTE = '<span class="fn">{text}</span>'
STYLE = """<style>@page {{ size: A6; @footnote {{ border-top: 1px solid; padding-top: 2px; {area} }} }}
.fn {{ float: footnote; font-size: 7pt; {note} }} p {{ orphans: 1; widows: 1; }}</style>"""


def document(count: int, area: str = "", note: str = "", body: str = "", long: int = 0) -> str:
    """Return HTML with `count` footnotes (every `long`-th a note of many lines) in paragraphs of a few calls each."""
    texts = [("a long note " * 40 if long and n % long == 0 else f"note {n}") for n in range(count)]
    calls = [f"Text {n}{NOTE.format(text=text)}." for n, text in enumerate(texts)]
    paragraphs = "".join(f"<p>{' '.join(calls[i : i + 5])}</p>" for i in range(0, count, 5))
    return f"<html><head>{STYLE.format(area=area, note=note)}</head><body{body}>{paragraphs}</body></html>"


def pdf(html: str, measured: bool) -> bytes:
    """Lay out and write HTML, with or without the footnote work-around."""
    out = io.BytesIO()
    with measured_footnotes() if measured else contextlib.nullcontext():
        rendered = weasyprint.HTML(string=html).render()
    rendered.write_pdf(out, pdf_identifier=b"footnotes")
    return out.getvalue()


@pytest.mark.parametrize(
    ("html", "what"),
    [
        (document(50), "many one-line notes a page, carried over to the next pages"),
        (document(40, long=7), "notes of many lines, some carried over"),
        (document(30, note="footnote-policy: line;", long=5), "footnote-policy: line"),
        (document(20, note="footnote-policy: block;", long=5), "footnote-policy: block"),
        (document(20, area="max-height: 30mm;", long=4), "an area with a maximum height (WeasyPrint's own way)"),
        (document(30, note="margin-top: 2pt;"), "notes with margins (WeasyPrint's own way)"),
        (document(6, body=' style="columns: 2"'), "notes in columns (WeasyPrint's own way)"),
    ],
)
def test_measured_footnotes_write_the_same_bytes(html: str, what: str) -> None:
    assert pdf(html, measured=True) == pdf(html, measured=False), what


def test_measured_footnotes_are_undone_after() -> None:
    from weasyprint.layout import LayoutContext

    own = dict(LayoutContext.__dict__)
    with measured_footnotes():
        assert LayoutContext.__dict__["_update_footnote_area"] is not own["_update_footnote_area"]
    assert LayoutContext.__dict__["_update_footnote_area"] is own["_update_footnote_area"]
    assert LayoutContext.__dict__["__init__"] is own["__init__"]


def test_each_footnote_of_a_question_is_laid_out_a_fixed_number_of_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A question with 200 notes through the PDF's own layout: notes laid out in footnote areas, counted.

    WeasyPrint's own way lays out a page's whole footnote area each time a note joins it: pages of
    23 notes laid them out about 50 times each (16,959 layouts for 300 notes).
    """
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    refs = " ".join(f"Claim {n}[^n{n}]." for n in range(200))
    notes = "\n".join(f"[^n{n}]: Note {n}, a few words long." for n in range(200))
    section = f"# Notes {{#notes}}\n\n## Many notes? {{#many}}\n\nTags: testing\n\n{refs}\n\n{notes}\n"
    (content / "50-notes.md").write_text(section, encoding="utf-8")
    laid = []
    own = build.create_anonymous_boxes

    def counted(box: boxes.Box) -> boxes.Box:
        if isinstance(box, boxes.FootnoteAreaBox):
            laid.append(len(box.children))
        return own(box)

    monkeypatch.setattr(build, "create_anonymous_boxes", counted)
    printer = Printer(load(content))
    pages = len(printer.layout(printer.html()).pages)
    assert pages > 6 and sum(laid) > 200
    assert sum(laid) <= 3 * 200, f"{sum(laid)} notes laid out for 200 notes on {pages} pages"
