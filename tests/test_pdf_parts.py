"""A long guide's PDF, laid out in parts and joined, read back against the same guide laid out whole.

The real guide is small enough to be laid out whole, so these tests cut it into small parts on
purpose: the joined file must put every word at the same place on the same page, and keep the
outline, the links, the destinations and one structure tree, as WeasyPrint's own file does.
"""

from __future__ import annotations

import collections
import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader
from readers import pdf_text
from test_pdf import FIXTURES, outline

from studyguide.build.pipeline import load
from studyguide.model import Guide
from studyguide.renderers.paper import RefusedResource
from studyguide.renderers.pdf import PdfRenderer
from studyguide.renderers.pdf import parts as parts_module
from studyguide.renderers.pdf.layout import Printer
from studyguide.renderers.pdf.pages import FOOTER
from studyguide.renderers.pdf.parts import plan, render_in_parts
from studyguide.stages import TEMPLATES, Options
from studyguide.store.cache import Cache

EDITIONS = {"full": Options(), "quiz": Options(paper="letter", edition="quiz")}
PART_PAGES = {"full": 10, "quiz": 4}  # small enough to cut the real guide into several parts


@pytest.fixture(scope="module", params=sorted(EDITIONS))
def pair(request: pytest.FixtureRequest, guide: Guide, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same edition laid out whole and in parts."""
    options = EDITIONS[request.param]
    renderer = PdfRenderer()
    parts = plan(guide, options, PART_PAGES[request.param])
    assert len(parts) >= 4
    folder = tmp_path_factory.mktemp(f"parts-{request.param}")
    whole, joined = folder / "whole.pdf", folder / "parts.pdf"
    whole.write_bytes(renderer.render(load(guide.root, options)))
    joined.write_bytes(render_in_parts(Printer(load(guide.root, options)), parts))
    return whole, joined


def words(path: Path, page: int) -> str:
    """Return every word of one page (from 1) with its box, as poppler reads it."""
    args = ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def links(reader: PdfReader) -> list[list[tuple[tuple[int, ...], int | None]]]:
    """Return, per page, each internal link's rectangle (whole points) and the page it opens."""
    pages = []
    for page in reader.pages:
        found = []
        for annotation in page.get("/Annots") or []:
            link = annotation.get_object()
            if link.get("/Subtype") == "/Link" and "/Dest" in link:
                target = reader.get_destination_page_number(reader.named_destinations[str(link["/Dest"])])
                found.append((tuple(round(float(x)) for x in link["/Rect"]), target))
        pages.append(sorted(found))
    return pages


def census(path: Path) -> tuple[collections.Counter[str], int, list[str]]:
    """Walk the structure tree from its root: element kinds, marked-content count, and what is wrong."""
    pdf = pikepdf.open(path)
    pages = {page.obj.objgen for page in pdf.pages}
    kinds: collections.Counter[str] = collections.Counter()
    marked, wrong, seen = 0, [], set()
    stack = [(kid, pdf.Root.StructTreeRoot) for kid in pdf.Root.StructTreeRoot.K]
    while stack:
        element, parent = stack.pop()
        if isinstance(element, int) or element.get("/Type") == "/MCR":
            marked += 1
            continue
        if element.get("/Type") == "/OBJR":
            kinds["OBJR"] += 1
            continue
        if element.objgen in seen:
            wrong.append(f"{element.S} reached twice")
            continue
        seen.add(element.objgen)
        kinds[str(element.S)] += 1
        if element.P.objgen != parent.objgen:
            wrong.append(f"{element.S} names another parent")
        if "/Pg" in element and element.Pg.objgen not in pages:
            wrong.append(f"{element.S} is on a page outside the document")
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]:
            stack.append((kid, element))
    return kinds, marked, wrong


def test_plan_cuts_every_guide_at_sections_and_keeps_one_run_whole(guide: Guide) -> None:
    assert len(plan(guide, Options())) >= 2  # the real guide too: both cores lay it out
    one = dataclasses.replace(guide, sections=guide.sections[:1])
    assert plan(one, Options(), 1) == []  # a single section is a single run
    ids = [s.id for s in guide.sections]
    for name, options in EDITIONS.items():
        parts = plan(guide, options, PART_PAGES[name])
        questions = [p for p in parts if not p.answers]
        answers = [p for p in parts if p.answers]
        assert parts == questions + answers  # the answers come last
        assert [section for part in questions for section in part.sections or ()] == ids  # every section once
        if name == "quiz":
            assert len(answers) >= 2  # the answers are cut at sections too
            assert [section for part in answers for section in part.answer_sections or ()] == ids
        else:
            assert answers == []
        assert not any(p.front or p.footer for p in parts)


def test_every_word_sits_where_the_whole_layout_puts_it(pair: tuple[Path, Path]) -> None:
    whole, joined = pair
    count = len(PdfReader(whole).pages)
    assert len(PdfReader(joined).pages) == count
    for page in range(1, count + 1):  # contents numbers, running headers and footers included
        assert words(joined, page) == words(whole, page), f"page {page}"


def test_outline_links_and_destinations_match(pair: tuple[Path, Path], guide: Guide) -> None:
    whole, joined = PdfReader(pair[0]), PdfReader(pair[1])
    assert outline(joined) == outline(whole)
    assert links(joined) == links(whole)
    for q in guide.questions:
        assert joined.get_destination_page_number(joined.named_destinations[q.id]) == whole.get_destination_page_number(
            whole.named_destinations[q.id]
        )
    assert set(joined.named_destinations) == set(whole.named_destinations)


def test_one_structure_tree_like_the_whole_layouts(pair: tuple[Path, Path]) -> None:
    whole, joined = pair
    kinds, marked, wrong = census(joined)
    assert wrong == []
    assert (kinds, marked) == census(whole)[:2]
    assert kinds["/Document"] == 1
    pdf = pikepdf.open(joined)
    root = pdf.Root.StructTreeRoot
    keys = [int(k) for k in root.ParentTree.Nums[::2]]
    holders = [
        int(o[key])
        for page in pdf.pages
        for o in [page.obj, *page.obj.get("/Annots", [])]
        for key in ("/StructParents", "/StructParent")
        if key in o
    ]
    assert sorted(keys) == sorted(holders) and len(set(keys)) == len(keys)
    assert int(root.ParentTreeNextKey) > max(keys)
    assert bool(pdf.Root.MarkInfo.Marked) and str(pdf.Root.Lang)
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        assert xmp.get("pdfuaid:part") == "1"
    assert PdfReader(joined).metadata == PdfReader(whole).metadata


def test_footers_are_stamped_as_pagination_artifacts(pair: tuple[Path, Path]) -> None:
    pdf = pikepdf.open(pair[1])
    for number, page in enumerate(pdf.pages):
        operators = pikepdf.parse_content_stream(page)
        stamped = [
            i for i, ins in enumerate(operators) if str(ins.operator) == "Do" and ins.operands == [pikepdf.Name(FOOTER)]
        ]
        assert len(stamped) == (0 if number == 0 else 1), f"page {number + 1}"
        for i in stamped:  # inside "/Artifact <</Type /Pagination ...>> BDC ... EMC"
            opened = [ins.operands for ins in operators[:i] if str(ins.operator) == "BDC"]
            assert opened and opened[-1][0] == pikepdf.Name.Artifact and opened[-1][1].Type == pikepdf.Name.Pagination


def test_a_refused_resource_in_a_part_names_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker's refusal reaches the build whole: the template file and line that named the resource."""
    content = tmp_path / "content"  # the fixture guide and a second section: two parts
    shutil.copytree(FIXTURES / "valid", content)
    second = "# More {#more}\n\n## Is there more? {#more-question}\n\nTags: testing\n\nA second section.\n"
    (content / "02-more.md").write_text(second, encoding="utf-8")
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    css = templates / "pdf" / "print.css"
    lines = css.read_text(encoding="utf-8").split("\n")
    css.write_text("\n".join([*lines, 'body { background: url("/etc/hostname"); }']), encoding="utf-8")
    job = load(content, Options(templates=templates))
    monkeypatch.setattr(parts_module, "PART_PAGES", 1)
    assert len(plan(job.guide, job.options)) >= 2
    with pytest.raises(RefusedResource) as info:
        PdfRenderer().render(job)
    assert str(info.value).startswith(f"{css}:{len(lines) + 1}: refused to load 'file:///etc/hostname'")


def test_a_shorter_contents_is_followed_by_blank_pages(
    guide: Guide, built: dict[str, Path], temporary_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the contents comes out shorter than the count its numbers assumed, blank pages keep them true.

    The body's parts are the build's own, taken from the cache it filled; only the contents is laid out anew.
    """
    from test_pdf import (
        test_outline_sections_and_questions_open_their_pages,
        test_running_header_and_footer_not_on_cover,
        test_toc_prints_the_outline_page_numbers,
    )

    monkeypatch.setattr(parts_module, "placeholder", lambda guide, options: 10**60)  # counted with very wide numbers
    path = tmp_path / "parts.pdf"
    job = load(guide.root, Options(), Cache(temporary_cache))
    path.write_bytes(render_in_parts(Printer(job), plan(guide, Options())))
    reader = PdfReader(path)
    first_section = reader.get_destination_page_number(reader.named_destinations[guide.sections[0].id])
    assert first_section is not None
    texts = pdf_text(path)
    blank = [n for n in range(1, first_section) if re.fullmatch(r"\s*page \d+ of \d+\s*", texts[n])]
    assert blank  # the wide numbers took more contents pages than the real ones: blank pages, footers only
    test_toc_prints_the_outline_page_numbers(path, guide)
    test_outline_sections_and_questions_open_their_pages(path, guide)
    test_running_header_and_footer_not_on_cover(path, guide)
