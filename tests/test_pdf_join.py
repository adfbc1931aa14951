"""The join of a PDF laid out in parts: one part read at a time, each font embedded once, nothing else changed.

Every test cuts a guide into small parts on purpose (the real guide and a fixture of every script),
and reads the files back with poppler (pdffonts, pdftotext, pdftoppm), pikepdf and pypdf.
"""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from conftest import CONTENT, FIXTURES
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from readers import pdf_text
from test_pdf import outline

from studyguide.build.pipeline import load
from studyguide.model import Guide, Section
from studyguide.renderers.pdf import fonts as fonts_module
from studyguide.renderers.pdf import parts as parts_module
from studyguide.renderers.pdf.join import Joined, Laid
from studyguide.renderers.pdf.layout import Printer
from studyguide.renderers.pdf.parts import MOST_PART_PAGES, estimate, plan, render_in_parts
from studyguide.renderers.pdf.subsets import write_subset
from studyguide.stages import TEMPLATES, Options

MORE_SCRIPTS = """# More scripts {#more-scripts}

## Do the scripts print again in another part? {#scripts-again}

Tags: scripts

Japanese 日本語の本, Chinese 中文的书, Korean 한국어 책, emoji 🚀 📚; Greek Ωμέγα λόγος, Cyrillic Привет мир;
Hebrew שלום ספר and Arabic مرحبا كتاب; code `print("again")`.
"""


class Both(Joined):
    """A join that writes the parts twice: each font merged, and beside it (`plain.pdf`) as the parts hold them."""

    def __init__(self, path: Path, merge_fonts: bool = True) -> None:
        super().__init__(path, merge_fonts)
        self.plain = Joined(path.with_name("plain.pdf"), merge_fonts=False)

    def add(self, laid: Laid, front: bool = False, blank: int = 0) -> None:
        super().add(laid, front, blank)
        self.plain.add(laid, front, blank)

    def stamp(self, footers: list[Laid]) -> None:
        super().stamp(footers)
        self.plain.stamp(footers)

    def save(self) -> None:
        super().save()
        self.plain.save()
        shutil.copyfile(self.plain.path, Both.kept)

    kept = Path()


def merged_and_plain(content: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Lay out a guide in parts of one section each; return the joined file with fonts merged, and without."""
    monkeypatch.setattr(parts_module, "Joined", Both)
    monkeypatch.setattr(Both, "kept", out / "plain.pdf")
    job = load(content, Options())
    merged = out / "merged.pdf"
    merged.write_bytes(render_in_parts(Printer(job), plan(job.guide, job.options, 1)))
    return merged, out / "plain.pdf"


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The real guide in parts: fonts merged, and not."""
    with pytest.MonkeyPatch.context() as patch:  # undone at once: a later build must not write over plain.pdf
        return merged_and_plain(CONTENT, tmp_path_factory.mktemp("real"), patch)


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The print fixture and a second section in every script again (CJK, Arabic, emoji, code) in parts."""
    content = tmp_path_factory.mktemp("scripts") / "content"
    shutil.copytree(FIXTURES / "print", content)
    (content / "04-more-scripts.md").write_text(MORE_SCRIPTS, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        return merged_and_plain(content, content.parent, patch)


def font_names(path: Path) -> list[str]:
    """Return the name of every font poppler's pdffonts lists (one line per font object)."""
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    return [line.split()[0] for line in lines[2:]]


def tags(path: Path) -> list[tuple[Any, ...]]:
    """Return the structure tree in reading order: each element's depth, role, attributes, and marked contents."""
    pdf = pikepdf.open(path)
    pages = {page.obj.objgen: k for k, page in enumerate(pdf.pages)}
    found: list[tuple[Any, ...]] = []

    def walk(element: Any, depth: int) -> None:
        if isinstance(element, int):
            found.append((depth, "MCID", element))
            return
        kind = str(element.get("/Type", ""))
        if kind == "/MCR":
            found.append((depth, "MCR", int(element.MCID), pages[element.Pg.objgen]))
            return
        if kind == "/OBJR":
            rect = [round(float(x)) for x in element.Obj.Rect]
            found.append((depth, "OBJR", pages[element.Pg.objgen], rect, str(element.Obj.get("/Dest", ""))))
            return
        page = pages.get(element.Pg.objgen) if "/Pg" in element else None
        if "/ID" in element:  # a table header's: WeasyPrint names it by its object number, another in each part
            ids[str(element.ID)] = len(found)
        attributes = {k: element[k] for k in ("/Alt", "/ActualText", "/Lang", "/A", "/T") if k in element}
        found.append((depth, str(element.S), page, attributes))
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]:
            walk(kid, depth + 1)

    ids: dict[str, int] = {}
    walk(pdf.Root.StructTreeRoot.K[0], 0)
    return [(*entry[:3], named(entry[3], ids)) if isinstance(entry[-1], dict) else entry for entry in found]


def named(attributes: dict[str, Any], ids: dict[str, int]) -> dict[str, str]:
    """Return an element's attributes as text, a cell's headers as the places of the header cells they name."""
    shown = {}
    for key, value in attributes.items():
        if key == "/A" and isinstance(value, pikepdf.Dictionary) and "/Headers" in value:
            rest = {k: repr(v) for k, v in value.items() if k != "/Headers"}
            shown[key] = repr((rest, [ids[str(header)] for header in value.Headers]))
        else:
            shown[key] = repr(value)
    return shown


def drawn(path: Path) -> set[tuple[str, int, str]]:
    """Return what each glyph a font shows draws: its outline (components drawn in) and advance, read with fontTools."""
    pdf = pikepdf.open(path)
    found = set()
    for font in pdf.objects:
        if not (isinstance(font, pikepdf.Dictionary) and font.get("/Subtype") == "/Type0"):
            continue
        cid = font.DescendantFonts[0]
        program = cid.FontDescriptor.get("/FontFile3") or cid.FontDescriptor.FontFile2
        embedded = TTFont(io.BytesIO(program.read_bytes()))
        glyphs, names = embedded.getGlyphSet(), embedded.getGlyphOrder()
        for gid in fonts_module.read_widths(cid.W):
            pen = DecomposingRecordingPen(glyphs)
            glyphs[names[gid]].draw(pen)
            found.add((str(font.BaseFont), gid, repr((pen.value, glyphs[names[gid]].width))))
    return found


@pytest.mark.parametrize("name", ["real", "scripts"])
def test_each_font_is_embedded_once_and_nothing_else_changes(name: str, request: pytest.FixtureRequest) -> None:
    merged, plain = request.getfixturevalue(name)
    names = font_names(merged)
    assert names and len(names) == len(set(names)), names  # pdffonts: every font once
    assert len(font_names(plain)) > len(names)  # the parts' own subsets: some fonts several times
    assert merged.stat().st_size < plain.stat().st_size
    text = ["pdftotext", "-enc", "UTF-8", "-bbox"]
    assert (
        subprocess.run([*text, str(merged), "-"], capture_output=True, check=True).stdout
        == subprocess.run([*text, str(plain), "-"], capture_output=True, check=True).stdout
    )  # every word, at the same place
    assert tags(merged) == tags(plain)
    assert outline(PdfReader(merged)) == outline(PdfReader(plain))
    reader, before = PdfReader(merged), PdfReader(plain)
    assert {k: reader.get_destination_page_number(v) for k, v in reader.named_destinations.items()} == {
        k: before.get_destination_page_number(v) for k, v in before.named_destinations.items()
    }
    assert drawn(merged) == drawn(plain)  # every glyph the same shape and advance in the one subset as in its part's


def test_the_structure_tree_is_the_whole_layouts(real: tuple[Path, Path], tmp_path: Path) -> None:
    """Joined from parts, the tree lists the same elements, attributes and marked contents as WeasyPrint's own file."""
    whole = tmp_path / "whole.pdf"
    job = load(CONTENT, Options())
    printer = Printer(job)
    printer.write(printer.layout(printer.html()), str(whole))
    assert tags(real[0]) == tags(whole)


@pytest.fixture(scope="module")
def reference(guide: Guide) -> bytes:
    """The real guide laid out in parts of about ten pages, as a build does it."""
    job = load(CONTENT, Options())
    return render_in_parts(Printer(job), plan(guide, Options(), 10))


def test_the_join_reads_each_part_once_one_at_a_time_and_writes_as_it_goes(
    monkeypatch: pytest.MonkeyPatch, guide: Guide, reference: bytes
) -> None:
    """No whole layout and no whole document in the building process: parts come from files, the file grows per part."""
    parent = os.getpid()
    layout = Printer.layout

    def in_a_worker(self: Printer, html: str, read: list[Path] | None = None) -> Any:
        assert os.getpid() != parent, "the building process laid out a document"
        return layout(self, html, read)

    opened: list[str] = []
    open_pdf = pikepdf.open

    def counted(path: Any, *args: Any, **kwargs: Any) -> pikepdf.Pdf:
        opened.append(str(path))
        return open_pdf(path, *args, **kwargs)

    class Spied(Joined):
        def add(self, laid: Laid, front: bool = False, blank: int = 0) -> None:
            before = self.path.stat().st_size
            super().add(laid, front, blank)
            assert laid.path is not None and opened[-1] == laid.path
            assert self.path.stat().st_size > before  # written out, not kept for the end
            Path(laid.path).write_bytes(b"")  # the join never reads a part again

    monkeypatch.setattr(Printer, "layout", in_a_worker)
    monkeypatch.setattr(pikepdf, "open", counted)
    monkeypatch.setattr(parts_module, "Joined", Spied)
    job = load(CONTENT, Options())
    assert render_in_parts(Printer(job), plan(guide, Options(), 10)) == reference


def test_parts_stay_small_however_long_the_guide(guide: Guide) -> None:
    """A worker's memory follows its part: a guide 100 times the real one is cut into parts as short as its own."""
    sections = tuple(
        dataclasses.replace(section, id=f"{section.id}-{copy}") for copy in range(100) for section in guide.sections
    )
    long = dataclasses.replace(guide, sections=sections)
    largest = max(estimate(s, False) for s in guide.sections)
    for options in (Options(), Options(edition="quiz")):
        parts = plan(long, options)
        quiz = options.edition == "quiz"
        for part in parts:
            ids = set(part.answer_sections or part.sections or ())
            shown: list[Section] = [s for s in long.sections if s.id in ids]
            pages = sum(estimate(s, quiz and not part.answer_sections) for s in shown)
            assert pages <= MOST_PART_PAGES + largest, (len(parts), pages)


def test_fresh_workers_write_the_same_bytes(monkeypatch: pytest.MonkeyPatch, guide: Guide, reference: bytes) -> None:
    """Workers are replaced after a number of tasks: a fresh worker for every task changes no byte."""
    monkeypatch.setattr(parts_module, "TASKS_PER_WORKER", 1)
    job = load(CONTENT, Options())
    assert render_in_parts(Printer(job), plan(guide, Options(), 10)) == reference


def test_a_font_that_disagrees_keeps_its_own_subset(real: tuple[Path, Path]) -> None:
    """Two parts' copies of a font merge only if every width, text and outline they share is the same."""
    pdf = pikepdf.open(real[1])
    found: dict[str, list[fonts_module.Font]] = {}
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/Type0":
            font = fonts_module.read(obj)
            assert font is not None, obj.BaseFont  # every font WeasyPrint wrote can be merged
            found.setdefault(font.name, []).append(font)
    first, second = max(found.values(), key=len)[:2]
    shared = sorted(first.widths.keys() & second.widths.keys())
    assert shared
    gid = shared[0]
    wider = dataclasses.replace(second, widths={**second.widths, gid: b"9999"})
    other_text = dataclasses.replace(second, text={**second.text, gid: b"0041"})
    glyphs = {**second.subset.glyphs, gid: dataclasses.replace(second.subset.glyphs[gid], outline=b"\x0e")}
    other_outline = dataclasses.replace(second, subset=dataclasses.replace(second.subset, glyphs=glyphs))
    for changed in (wider, other_text, other_outline):
        assert not dataclasses.replace(first).merge(changed)
    assert dataclasses.replace(first).merge(second)


def test_a_cid_keyed_font_dictionary_another_subset_lacks_is_added(scripts: tuple[Path, Path]) -> None:
    """HarfBuzz keeps only the font dictionaries (FDArray) a CJK subset uses: the merged subset holds every part's."""
    pdf = pikepdf.open(scripts[1])
    (font, *_) = [
        fonts_module.read(obj)
        for obj in pdf.objects
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/Type0" and "CJK" in str(obj.BaseFont)
    ]
    assert font is not None and font.subset.fonts
    name = Counter(glyph.private for glyph in font.subset.glyphs.values()).most_common(1)[0][0]
    moved = {gid for gid, glyph in font.subset.glyphs.items() if glyph.private == name}
    # As if another part's glyphs used a dictionary this subset lacks: the same one, under another name.
    glyphs = {
        gid: dataclasses.replace(g, private="Other") if gid in moved else g for gid, g in font.subset.glyphs.items()
    }
    entries, private = font.subset.fonts[name]
    renamed = tuple((key, "Other" if key == "FontName" else value) for key, value in entries)
    other = dataclasses.replace(font.subset, glyphs=glyphs, fonts={**font.subset.fonts, "Other": (renamed, private)})
    written = TTFont(io.BytesIO(write_subset(font.program, other)))
    before = TTFont(io.BytesIO(font.program))
    top = written["CFF "].cff.topDictIndex[0]
    for gid in moved:
        assert top.FDArray[top.FDSelect[gid]].FontName == "Other"
        assert charstring(written, gid) == charstring(before, gid)  # the same outline and width
    disagreeing = dataclasses.replace(
        font.subset, fonts={**font.subset.fonts, name: (entries, (("defaultWidthX", 7),))}
    )
    assert font.subset.fits(dataclasses.replace(font.subset)) and not font.subset.fits(disagreeing)


def charstring(font: TTFont, gid: int) -> tuple[Any, ...]:
    """Return a CFF glyph's drawing and its width (relative to its private dictionary's nominal width)."""
    glyphs = font.getGlyphSet()
    charstrings = font["CFF "].cff.topDictIndex[0].CharStrings
    program = charstrings[font.getGlyphOrder()[gid]]
    program.decompile()
    pen = DecomposingRecordingPen(glyphs)
    program.draw(pen)
    return pen.value, program.width


@pytest.fixture(scope="module")
def contents_in_runs(tmp_path_factory: pytest.TempPathFactory, guide: Guide) -> Iterator[Path]:
    """The real guide in parts, its contents laid out in runs of about 20 entries (as 1,000 for a long guide)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parts_module, "CONTENTS_RUN", 20)
        job = load(CONTENT, Options())
        runs = parts_module.front_runs(Printer(job))
        assert len(runs) >= 3 and [s for run in runs for s in run.contents or ()] == [s.id for s in guide.sections]
        path = tmp_path_factory.mktemp("runs") / "guide.pdf"
        path.write_bytes(render_in_parts(Printer(job), plan(guide, Options())))
    yield path


def test_a_long_contents_is_laid_out_in_runs_that_read_as_one(contents_in_runs: Path, guide: Guide) -> None:
    """Each run of the contents starts a page; every entry, its number, link and running header are as in one."""
    from test_pdf import (
        test_outline_sections_and_questions_open_their_pages,
        test_running_header_and_footer_not_on_cover,
        test_toc_prints_the_outline_page_numbers,
    )

    test_toc_prints_the_outline_page_numbers(contents_in_runs, guide)
    test_outline_sections_and_questions_open_their_pages(contents_in_runs, guide)
    test_running_header_and_footer_not_on_cover(contents_in_runs, guide)
    reader = PdfReader(contents_in_runs)
    first = reader.get_destination_page_number(reader.named_destinations[guide.sections[0].id])
    assert first is not None
    texts = pdf_text(contents_in_runs)
    runs = parts_module.front_runs(Printer(load(CONTENT, Options())))  # the default: one run for the real guide
    assert len(runs) == 1
    assert ["Contents" in texts[page] for page in range(1, first)] == [True] + [False] * (first - 2)  # one heading
    assert all("CONTENTS" in texts[page] for page in range(1, first))  # every contents page says so at its top
    tops = [" ".join(texts[page].split()[:12]) for page in range(2, first)]
    assert sum(any(s.title in top for s in guide.sections) for top in tops) >= 2  # a run starts on its page
    assert reader.get_destination_page_number(reader.named_destinations["_contents"]) == 1
    assert len(set(font_names(contents_in_runs))) == len(font_names(contents_in_runs))


def test_an_older_template_keeps_the_contents_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A guide's own copy of an older print template does not know the runs: its contents is laid out whole."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    page = templates / "pdf" / "guide.html"
    page.write_text(page.read_text(encoding="utf-8").replace("toc_sections", "guide.sections"), encoding="utf-8")
    monkeypatch.setattr(parts_module, "CONTENTS_RUN", 20)
    assert len(parts_module.front_runs(Printer(load(CONTENT, Options())))) > 1
    assert len(parts_module.front_runs(Printer(load(CONTENT, Options(templates=templates))))) == 1
