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

import ctypes
import gc
import multiprocessing
import multiprocessing.pool
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from ...model import Guide, Section
from ..base import Options, environment
from .join import Joined, Laid
from .layout import Part, Printer
from .reuse import Parts

if TYPE_CHECKING:
    import weasyprint

PART_PAGES = 16  # at least about this many pages per part (runs of whole sections); a single run is laid out whole
PARTS = 12  # a guide of up to PARTS x MOST_PART_PAGES pages is cut into about this many parts
MOST_PART_PAGES = 36  # at most about this many (estimated) pages: a worker's memory follows its part, not the guide
CONTENTS_ENTRIES_PER_PAGE = 50  # measured at 420 questions: 479 entries on 9 pages
WORDS_PER_PAGE = 240  # measured on the real guide: 7,555 words of answers fill 31 pages
QUIZ_QUESTIONS_PER_PAGE = 3.5  # the self-test edition leaves ruled room under each question
FOOTERS_PER_RUN = 200  # empty pages per footer layout: WeasyPrint's time per page grows with the document
ROUNDS = 4  # contents layouts at most (its page count settles after one or two)
# A worker lays out one part after another (what it loaded for one serves the next), but WeasyPrint keeps
# about 1.4 MiB of each document it laid out (measured over 40 parts of 20 pages): after this many tasks a
# worker is replaced by a fresh one, so no worker grows with the guide. A fresh worker's first part takes
# about 0.4 s more.
TASKS_PER_WORKER = 24


def estimate(section: Section, quiz: bool) -> float:
    """Return roughly how many pages a section fills (it starts a new page)."""
    if quiz:
        return 1 + len(section.questions) / QUIZ_QUESTIONS_PER_PAGE
    return 1 + sum(len(q.answer_text().split()) for q in section.questions) / WORDS_PER_PAGE


def plan(guide: Guide, options: Options, part_pages: float | None = None) -> list[Part]:
    """Return the parts after the front matter, each a run of whole sections; none (a single run): lay out whole.

    Parts are about PART_PAGES pages, or a PARTS-th of a longer guide, but at most MOST_PART_PAGES:
    enough of them to keep every core busy, few enough that each one's fixed cost (its stylesheet,
    fonts, joining) stays small, small enough that a worker's memory does not grow with the guide.
    The plan depends on the content alone, so every machine writes the same bytes.
    """
    quiz = options.edition == "quiz"
    sizes = [(section.id, estimate(section, quiz)) for section in guide.sections]
    answers = [(section.id, estimate(section, False)) for section in guide.sections] if quiz else []
    part_pages = part_pages or min(MOST_PART_PAGES, max(PART_PAGES, sum(pages for _, pages in sizes + answers) / PARTS))
    parts = [Part(front=False, sections=run, answers=False, footer=False) for run in runs(sizes, part_pages)]
    parts += [  # the self-test edition's answers: each section's start a page too
        Part(front=False, sections=(), answers=True, answer_sections=run, footer=False)
        for run in runs(answers, part_pages)
    ]
    if len(parts) < 2:  # one run of sections: nothing to share out
        return []
    return parts


def runs(sizes: list[tuple[str, float]], part_pages: float) -> list[tuple[str, ...]]:
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


# The printer of this build and its cached parts, in a worker process: set by the pool's
# initializer. With the fork start method the worker inherits them (and the model) from the parent
# instead of receiving them through a pipe.
_printer: Printer | None = None
_reuse: Parts | None = None


def _start_worker(printer: Printer) -> None:
    """In a new worker: keep the build's printer for its tasks; leave what it inherited out of garbage collection."""
    global _printer, _reuse
    gc.freeze()  # the parent's objects (modules, model) are never garbage here: collections skip them
    _printer = printer
    _reuse = Parts(printer.job.cache, printer.guide.meta.id)


def _laid_out(html: str, path: str | None, tagged: bool, laid: Callable[[weasyprint.Document], Laid]) -> Laid:
    """In a worker: the cached layout of this HTML, or a new one (written to `path`, tagged or not, if given), kept."""
    assert _printer is not None and _reuse is not None
    key = _reuse.key(html, tagged)
    found = _reuse.get(key, path)
    if found is not None:
        return found
    read: list[Path] = []
    document = _printer.layout(html, read)
    if path is not None:
        _printer.write(document, path, tagged=tagged)
    result = laid(document)
    _reuse.put(key, result, read)
    return result


def _lay_out(task: tuple[Part, str | None]) -> Laid:
    """In a worker: lay out one part (or take it from the cache); write it as tagged PDF when given a path."""
    assert _printer is not None
    part, path = task
    html, missing = _printer.part_html(part)
    elsewhere = frozenset(missing)
    sections = _printer.guide.sections
    nested = part.answer_sections is not None and sections[0].id not in part.answer_sections

    def laid(document: weasyprint.Document) -> Laid:
        anchors: dict[str, int] = {}
        for k, page in enumerate(document.pages):
            for name in page.anchors:  # a box that spans pages names its anchor on each: the first is the target
                if name not in elsewhere:
                    anchors.setdefault(name, k)
        return Laid(len(document.pages), anchors, elsewhere, path, nested)

    return _laid_out(html, path, True, laid)


def _footers(task: tuple[int, int, int, str]) -> Laid:
    """In a worker: lay out `count` empty pages whose footers read "page N of `total`", N from `first`."""
    assert _printer is not None
    first, count, total, path = task
    part = Part(front=False, sections=(), answers=False, headers=False, total=total, first_page=first)
    html = (
        environment(_printer.options.templates)
        .get_template("pdf/footers.html")
        .render(
            meta=_printer.guide.meta, css=Markup(_printer.css(part)), count=count, direction=_printer.words.direction
        )
    )
    return _laid_out(html, path, False, lambda document: Laid(len(document.pages), {}, frozenset(), path))


Task = tuple[Callable[[Any], Laid], object]  # (_lay_out, (part, path)) or (_footers, (first, count, total, path))


def _run(task: Task) -> Laid:
    """In a worker: one layout task, its layout freed (and the memory given back) before the next task starts.

    WeasyPrint's laid-out pages hold reference cycles that only a full collection frees: the worker
    collects once after each layout instead of during it (measured at 420 questions: 0.24 s a part
    instead of 0.47 s of collections), then hands the freed memory back to the system.
    """
    work, args = task
    gc.disable()
    try:
        return work(args)
    finally:
        gc.enable()
        gc.collect()
        give_back()


def give_back() -> None:
    """Return the C allocator's free memory to the system (glibc's malloc_trim; elsewhere nothing).

    Hand-written with ctypes because no library exposes it: without it a worker keeps the peak of
    every layout it made, since glibc keeps freed memory for later allocations.
    """
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def workers() -> int:
    """Return how many layouts run at once: one per core this process may use, at most four."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def render_in_parts(printer: Printer, parts: Sequence[Part]) -> bytes:
    """Lay out the front matter and `parts` in worker processes and return the joined PDF's bytes."""
    import weasyprint  # noqa: F401  (imported once here, inherited by every forked worker)

    guide, options = printer.guide, printer.options
    for name in ("pdf/guide.html", "pdf/print.css", "pdf/footers.html"):  # compiled once, here, for every worker
        environment(options.templates).get_template(name)
    quiz = options.edition == "quiz"
    targets = [s.id for s in guide.sections] + [q.id for q in guide.questions] + (["_answers"] if quiz else [])
    front = Part(sections=(), answers=False, footer=False, pages=dict.fromkeys(targets, placeholder(guide, options)))
    context = multiprocessing.get_context("fork")
    # A worker lays out one part after another: what it loaded for the first (C type declarations,
    # hyphenation patterns, drawn glyph outlines) serves the next. Measured at 42 questions: 1 s less.
    with (
        tempfile.TemporaryDirectory(prefix="studyguide-pdf-") as tmp,
        context.Pool(workers(), _start_worker, (printer,), TASKS_PER_WORKER) as pool,
    ):
        paths = [str(Path(tmp, f"part-{i}.pdf")) for i in range(len(parts))]
        tasks: list[Task] = [(_lay_out, (front, None))]  # only counted
        tasks += [(_lay_out, (part, path)) for part, path in zip(parts, paths, strict=True)]
        contents = 1 + (len(guide.sections) + len(guide.questions)) / CONTENTS_ENTRIES_PER_PAGE
        first, *body = longest_first(pool, tasks, [contents, *(weight(guide, part, quiz) for part in parts)])
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
                joined = Joined(Path(tmp, "joined.pdf"))
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
        joined.save()
        return joined.path.read_bytes()


def weight(guide: Guide, part: Part, quiz: bool) -> float:
    """Return about how many pages a part fills."""
    if part.answer_sections is not None:
        return sum(estimate(s, False) for s in guide.sections if s.id in part.answer_sections)
    return sum(estimate(s, quiz) for s in guide.sections if part.sections is None or s.id in part.sections)


def longest_first(pool: multiprocessing.pool.Pool, tasks: list[Task], weights: list[float]) -> list[Laid]:
    """Run the tasks, the heaviest first (so no core is left with one long part at the end); return them in order."""
    order = sorted(range(len(tasks)), key=lambda i: -weights[i])
    results: dict[int, Laid] = dict(zip(order, pool.map(_run, [tasks[i] for i in order], chunksize=1), strict=True))
    return [results[i] for i in range(len(tasks))]


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
    return int("8" * len(str(int(most))))  # the contents set tabular figures: every digit has one width
