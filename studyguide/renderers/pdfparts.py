"""A large printed guide laid out in parts on every core, then joined into one tagged PDF.

WeasyPrint keeps every laid-out page of a document in memory, and parts of its work grow faster
than the page count. Every section starts a new page, so a run of whole sections lays out exactly
as it does inside the whole guide; only its page numbers depend on where it will sit. So:

1. each run of sections is laid out and written as its own tagged PDF, without footers; the front
   matter (cover and contents) is laid out with placeholder page numbers only to count its pages;
2. with every run's page count and anchors known, the front matter is laid out again with the
   real numbers in its contents, and the footers ("page X of Y") on otherwise empty pages;
3. pikepdf joins the runs: one structure tree, one outline, each named destination taken from the
   run that holds its anchor, and each footer stamped on its page as a pagination artifact.
"""

from __future__ import annotations

import gc
import io
import multiprocessing
import os
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from markupsafe import Markup

from ..model import Guide, Section
from .base import Options, environment

if TYPE_CHECKING:
    import pikepdf

    from .pdf import Part, PdfRenderer

PART_PAGES = 60  # about this many pages per part; a guide under two parts' worth is laid out whole
WORDS_PER_PAGE = 240  # measured on the real guide: 7,555 words of answers fill 31 pages
QUIZ_QUESTIONS_PER_PAGE = 3.5  # the self-test edition leaves ruled room under each question
FOOTERS_PER_RUN = 200  # empty pages per footer layout: WeasyPrint's time per page grows with the document
FOOTER = "/StudyguideFooter"  # the footer's resource name on every page (WeasyPrint's own names are short)
ROUNDS = 4  # contents layouts at most (its page count settles after one or two)


@dataclass(frozen=True)
class Laid:
    """What a worker reports of one layout: its page count, and the page (from 0) of each anchor it holds."""

    pages: int
    anchors: dict[str, int]
    elsewhere: frozenset[str]  # stand-in anchors for targets held by another part
    path: str | None
    nested: bool = False  # its outline continues the previous part's last entry (later runs of answers)


def estimate(section: Section, quiz: bool) -> float:
    """Return roughly how many pages a section fills (it starts a new page)."""
    if quiz:
        return 1 + len(section.questions) / QUIZ_QUESTIONS_PER_PAGE
    return 1 + sum(len(q.answer_text().split()) for q in section.questions) / WORDS_PER_PAGE


def plan(guide: Guide, options: Options, part_pages: int | None = None) -> list[Part]:
    """Return the parts after the front matter, each a run of whole sections; none: lay the guide out whole."""
    from .pdf import Part

    part_pages = part_pages or PART_PAGES
    quiz = options.edition == "quiz"
    sizes = [(section.id, estimate(section, quiz)) for section in guide.sections]
    answers = [(section.id, estimate(section, False)) for section in guide.sections] if quiz else []
    if sum(pages for _, pages in sizes + answers) < 2 * part_pages:
        return []
    parts = [
        Part(front=False, sections=run, answers=False, footer=False, last=False) for run in runs(sizes, part_pages)
    ]
    parts += [  # the self-test edition's answers: each section's start a page too
        Part(front=False, sections=(), answers=True, answer_sections=run, footer=False, last=False)
        for run in runs(answers, part_pages)
    ]
    parts[-1] = replace(parts[-1], last=True)
    return parts


def runs(sizes: list[tuple[str, float]], part_pages: int) -> list[tuple[str, ...]]:
    """Group consecutive sections (id, estimated pages) into runs of about `part_pages` pages."""
    grouped: list[list[str]] = []
    filled = 0.0
    for section_id, pages in sizes:
        if not grouped or filled + pages > part_pages:
            grouped.append([])
            filled = 0.0
        grouped[-1].append(section_id)
        filled += pages
    return [tuple(run) for run in grouped]


# The work of one build, set before the workers are forked (so they inherit it instead of
# receiving the guide through a pipe).
_JOB: tuple[PdfRenderer, Guide, Options] | None = None


def _lay_out(task: tuple[Part, str | None]) -> Laid:
    """In a worker: lay out one part; write it as tagged PDF when given a path."""
    assert _JOB is not None
    renderer, guide, options = _JOB
    part, path = task
    html, missing = renderer.part_html(guide, options, part)
    document = renderer.layout(guide, options, html)
    elsewhere = frozenset(missing)
    anchors: dict[str, int] = {}
    for k, page in enumerate(document.pages):
        for name in page.anchors:  # a box that spans pages names its anchor on each: the first is the target
            if name not in elsewhere:
                anchors.setdefault(name, k)
    if path is not None:
        document.write_pdf(path, pdf_identifier=guide.meta.id.encode(), pdf_variant="pdf/ua-1")
    nested = part.answer_sections is not None and guide.sections[0].id not in part.answer_sections
    return Laid(len(document.pages), anchors, elsewhere, path, nested)


def _footers(task: tuple[int, int, int, str]) -> Laid:
    """In a worker: lay out `count` empty pages whose footers read "page N of `total`", N from `first`."""
    from .pdf import Part

    assert _JOB is not None
    renderer, guide, options = _JOB
    first, count, total, path = task
    part = Part(front=False, sections=(), answers=False, headers=False, total=total, first_page=first)
    html = (
        environment(options.templates)
        .get_template("pdf/footers.html")
        .render(meta=guide.meta, css=Markup(renderer.css(options, part)), count=count)
    )
    document = renderer.layout(guide, options, html)
    document.write_pdf(path, pdf_identifier=guide.meta.id.encode())
    return Laid(len(document.pages), {}, frozenset(), path)


Task = tuple[Callable[[Any], Laid], object]  # (_lay_out, (part, path)) or (_footers, (first, count, total, path))


def _run(task: Task) -> Laid:
    """In a worker: one layout task."""
    work, args = task
    return work(args)


def workers() -> int:
    """Return how many layouts run at once: one per core this process may use, at most four."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def render_in_parts(renderer: PdfRenderer, guide: Guide, options: Options, parts: Sequence[Part]) -> bytes:
    """Lay out the front matter and `parts` in worker processes and return the joined PDF's bytes."""
    global _JOB
    import weasyprint  # noqa: F401  (imported once here, inherited by every forked worker)

    from .pdf import Part, cache_page_references

    cache_page_references()
    renderer.hooks(guide, options)  # images read and formulas drawn once, here: the workers inherit them
    quiz = options.edition == "quiz"
    targets = [s.id for s in guide.sections] + [q.id for q in guide.questions] + (["_answers"] if quiz else [])
    front = Part(
        sections=(), answers=False, footer=False, last=False, pages=dict.fromkeys(targets, placeholder(guide, options))
    )
    _JOB = (renderer, guide, options)
    gc.collect()
    gc.freeze()  # the workers inherit the model: keep their collector from walking (and copying) it
    try:
        with (
            tempfile.TemporaryDirectory(prefix="studyguide-pdf-") as tmp,
            multiprocessing.get_context("fork").Pool(workers(), maxtasksperchild=1) as pool,
        ):
            paths = [str(Path(tmp, f"part-{i}.pdf")) for i in range(len(parts))]
            tasks: list[Task] = [(_lay_out, (front, None))]
            tasks += [(_lay_out, (part, path)) for part, path in zip(parts, paths, strict=True)]
            first, *body = pool.map(_run, tasks, chunksize=1)
            front_pages = first.pages  # with the placeholders; the real numbers are no wider
            joined: Joined | None = None
            for _ in range(ROUNDS):
                numbers, total = page_numbers(body, front_pages)
                final = replace(front, pages={target: numbers[target] for target in targets})
                tasks = [(_lay_out, (final, str(Path(tmp, "front.pdf"))))]
                for start in range(2, total + 1, FOOTERS_PER_RUN):  # the cover, page 1, has no footer
                    count = min(FOOTERS_PER_RUN, total + 1 - start)
                    tasks.append((_footers, (start, count, total, str(Path(tmp, f"footers-{start}.pdf")))))
                laying = pool.map_async(_run, tasks, chunksize=1)
                if joined is None:  # join the body while the workers lay out the front matter and footers
                    joined = Joined()
                    for laid in body:
                        joined.add(laid)
                head, *feet = laying.get()
                if head.pages <= front_pages:  # fewer: blank pages keep every number true (rare)
                    break
                front_pages = head.pages
            else:
                raise RuntimeError(f"the contents did not settle on a page count after {ROUNDS} layouts")
            assert joined is not None
            joined.add(head, front=True, blank=front_pages - head.pages)
            joined.stamp(feet)
            return joined.save()
    finally:
        _JOB = None
        gc.unfreeze()


def page_numbers(body: Sequence[Laid], front_pages: int) -> tuple[dict[str, int], int]:
    """Return each anchor's printed page number and the page count, the body following `front_pages` pages."""
    numbers: dict[str, int] = {}
    offset = front_pages
    for laid in body:
        for name, k in laid.anchors.items():
            numbers.setdefault(name, offset + k + 1)
        offset += laid.pages
    return numbers, offset


def placeholder(guide: Guide, options: Options) -> int:
    """Return the page number the contents shows while its page count is measured: as wide as any real one."""
    quiz = options.edition == "quiz"
    most = sum(estimate(s, quiz) for s in guide.sections) * 2 + 10  # the estimate is rarely off by half
    return int("8" * len(str(int(most))))  # DejaVu's digits all have the same width


class Joined:
    """The joined PDF, built part by part: the body parts as soon as they are laid out, the front matter last.

    Each part's pages go in at a given place, its structure elements under the one Document
    element (its structure-parent keys renumbered after those already in), its named destinations
    (the anchors it really holds) and its outline entries with them.
    """

    def __init__(self) -> None:
        import pikepdf

        self.out = pikepdf.Pdf.new()
        self.sources: list[pikepdf.Pdf] = []  # kept open: qpdf reads their streams when the joined file is saved
        self.destinations: dict[str, pikepdf.Array] = {}
        self.outline: list[pikepdf.OutlineItem] = []
        self.key_base = 0
        self.root: pikepdf.Object | None = None  # the first part's StructTreeRoot, and its Document element
        self.document: pikepdf.Object | None = None
        self.front: pikepdf.Pdf | None = None

    def add(self, laid: Laid, front: bool = False, blank: int = 0) -> None:
        """Put a part's pages at the end, or the front matter's at the start followed by `blank` empty pages."""
        import pikepdf
        from pikepdf import Array, Dictionary, Name

        assert laid.path is not None
        out = self.out
        src = pikepdf.Pdf.open(laid.path)
        self.sources.append(src)
        first = 0 if front else len(out.pages)
        index = {page.obj.objgen: k for k, page in enumerate(src.pages)}
        with warnings.catch_warnings():  # pikepdf warns that named destinations are not carried: rebuilt below
            warnings.simplefilter("ignore")
            for k, page in enumerate(src.pages):
                out.pages.insert(first + k, page)
        keys = 0
        for page in out.pages[first : first + len(src.pages)]:
            for holder in [page.obj, *page.obj.get(Name.Annots, Array())]:
                for key in (Name.StructParents, Name.StructParent):
                    if key in holder:
                        keys = max(keys, int(holder[key]) + 1)
                        holder[key] = int(holder[key]) + self.key_base
        tree = out.copy_foreign(src.Root.StructTreeRoot)
        part_document = tree.K[0]
        if laid.elsewhere:
            _drop_stand_ins(part_document)
        if self.root is None:
            self.root, self.document = tree, part_document
        else:
            document = self.document
            assert document is not None
            kids = list(part_document.K)
            for k, kid in enumerate(kids):
                kid.P = document
                document.K.insert(k if front else len(document.K), kid)
            pairs = tree.ParentTree.Nums
            nums = self.root.ParentTree.Nums
            for j in range(0, len(pairs), 2):  # keys stay in ascending order: each part's come after the last
                value = pairs[j + 1]
                nums.append(int(pairs[j]) + self.key_base)
                nums.append(value)
                for element in value if isinstance(value, Array) else [value]:
                    parent = element.get(Name.P) if isinstance(element, Dictionary) else None
                    if parent is not None and parent.objgen == part_document.objgen:
                        element.P = document
        self.key_base += keys
        if Name.Names in src.Root and Name.Dests in src.Root.Names:
            for name, dest in pikepdf.NameTree(src.Root.Names.Dests).items():
                if name not in laid.elsewhere and name not in self.destinations:
                    target = out.pages[first + index[dest[0].objgen]].obj
                    self.destinations[name] = Array([target, Name.XYZ, dest[2], dest[3], 0])
        with src.open_outline() as part_outline:
            entries = _copy_outline(part_outline.root, out, first, index)
        if laid.nested and self.outline:  # later answers: under the "Answers" entry
            self.outline[-1].children.extend(entries)
        else:
            self.outline = [*entries, *self.outline] if front else [*self.outline, *entries]
        if blank:
            box = out.pages[first].mediabox
            for k in range(blank):
                empty = Dictionary(Type=Name.Page, MediaBox=box, Resources=Dictionary(), Contents=out.make_stream(b""))
                out.pages.insert(first + len(src.pages) + k, pikepdf.Page(out.make_indirect(empty)))
        if front:
            self.front = src

    def stamp(self, footers: Sequence[Laid]) -> None:
        """Stamp the footers' pages, in order, on pages 2 onwards (the cover has none)."""
        import pikepdf

        number = 1
        for laid in footers:
            assert laid.path is not None
            src = pikepdf.Pdf.open(laid.path)
            self.sources.append(src)
            for footer in src.pages:
                _stamp(self.out.pages[number], self.out.copy_foreign(footer.as_form_xobject()))
                number += 1
        if number != len(self.out.pages):
            raise RuntimeError(f"{number - 1} footers for {len(self.out.pages) - 1} pages")

    def save(self) -> bytes:
        """Finish the catalog (from the front matter's) and return the file's bytes."""
        import pikepdf
        from pikepdf import Dictionary

        out, front = self.out, self.front
        assert front is not None and self.root is not None
        for entry, value in front.Root.items():  # language, tagged-PDF mark, viewer preferences, XMP metadata
            if entry not in ("/Type", "/Pages", "/StructTreeRoot", "/Names", "/Outlines"):
                out.Root[entry] = out.copy_foreign(value if value.is_indirect else front.make_indirect(value))
        self.root.ParentTreeNextKey = self.key_base
        out.Root.StructTreeRoot = self.root
        names = pikepdf.NameTree.new(out)
        for name in sorted(self.destinations):
            names[name] = self.destinations[name]
        out.Root.Names = Dictionary(Dests=names.obj)
        with out.open_outline() as joined:
            joined.root.extend(self.outline)
        for field, text in front.docinfo.items():
            out.docinfo[field] = text
        data = io.BytesIO()
        out.save(
            data,
            min_version=front.pdf_version,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            deterministic_id=True,
        )
        for src in self.sources:
            src.close()
        return data.getvalue()


def _drop_stand_ins(document: pikepdf.Object) -> None:
    """Remove the stand-in anchors' elements (the body's last element: a Div of empty Links) from a part's tree."""
    from pikepdf import Name

    last = document.K[len(document.K) - 1]
    kids = list(last.K)
    if last.S != Name.Div or not kids or any(k.S != Name.Link or len(k.K) for k in kids):
        raise RuntimeError("a part's structure tree does not end with its stand-in anchors")
    del document.K[len(document.K) - 1]


def _copy_outline(
    items: list[pikepdf.OutlineItem], out: pikepdf.Pdf, first: int, index: dict[tuple[int, int], int]
) -> list[pikepdf.OutlineItem]:
    """Copy a part's outline entries, pointing them at the joined document's pages."""
    from pikepdf import Array, Name, OutlineItem

    copied = []
    for item in items:
        dest = cast(Array, item.destination)
        page = out.pages[first + index[dest[0].objgen]].obj
        entry = OutlineItem(str(item.title), destination=Array([page, Name.XYZ, dest[2], dest[3], 0]))
        entry.is_closed = item.is_closed
        entry.children.extend(_copy_outline(item.children, out, first, index))
        copied.append(entry)
    return copied


def _stamp(page: pikepdf.Page, footer: pikepdf.Object) -> None:
    """Draw a footer (a form XObject) over a page, marked as a pagination artifact for assistive technology."""
    from pikepdf import Dictionary, Name

    # WeasyPrint's pages share one resource dictionary: give this page its own before adding to it.
    resources = Dictionary(dict(page.obj.get(Name.Resources, Dictionary()).items()))
    xobjects = Dictionary(dict(resources.get(Name.XObject, Dictionary()).items()))
    xobjects[FOOTER] = footer
    resources[Name.XObject] = xobjects
    page.obj.Resources = resources
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(
        b"Q\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\nq\n" + FOOTER.encode() + b" Do\nQ\nEMC\n"
    )
