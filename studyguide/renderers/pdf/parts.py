"""A large printed guide laid out in parts on every core, then joined into one tagged PDF.

WeasyPrint keeps every laid-out page of a document in memory, and parts of its work grow faster
than the page count. Every section starts a new page, so a run of whole sections lays out exactly
as it does inside the whole guide; only its page numbers depend on where it will sit. So:

1. each run of sections is laid out and written as its own tagged PDF, without footers; the front
   matter (cover and contents) is laid out with placeholder page numbers only to count its pages;
2. with every run's page count and anchors known, the front matter is laid out again with the
   real numbers in its contents, and the footers ("page X of Y") on otherwise empty pages;
3. the join streams the runs into one file, one at a time: one structure tree, one outline, each
   named destination taken from the run that holds its anchor, each footer stamped on its page as
   a pagination artifact, each font's subsets merged into one.

Workers (`workers.py`) lay out the parts from print HTML rendered here; the building process never
holds a layout, and no process holds more than one part's: a part is at most about
MOST_PART_PAGES pages, whatever the guide's length. The contents is the one layout that grows with
the guide (a line per question).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

from markupsafe import Markup

from studyguide import progress
from studyguide.model import Guide, Section
from studyguide.renderers.base import environment
from studyguide.renderers.pdf.join import Joined, Laid
from studyguide.renderers.pdf.layout import Part, Printer
from studyguide.renderers.pdf.workers import Task, run, start_worker, workers
from studyguide.stages import Options

PART_PAGES = 16  # at least about this many pages per part (runs of whole sections); a single run is laid out whole
PARTS = 12  # a guide of up to PARTS x MOST_PART_PAGES pages is cut into about this many parts
MOST_PART_PAGES = 36  # at most about this many (estimated) pages: a worker's memory follows its part, not the guide
CONTENTS_ENTRIES_PER_PAGE = 50  # measured at 420 questions: 479 entries on 9 pages
CONTENTS_RUN = 1000  # at most about this many contents entries in one layout (about 20 pages)
WORDS_PER_PAGE = 240  # measured on the real guide: 7,555 words of answers fill 31 pages
QUIZ_QUESTIONS_PER_PAGE = 3.5  # the self-test edition leaves ruled room under each question
FOOTERS_PER_RUN = 200  # empty pages per footer layout: WeasyPrint's time per page grows with the document
ROUNDS = 4  # contents layouts at most (its page count settles after one or two)
TASKS_PER_WORKER = 24  # then a worker is replaced by a fresh one (see workers.py)


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


def part_task(printer: Printer, part: Part, path: str | None, large: bool = False) -> Task:
    """Return the task of laying out one part (or the front matter): its print HTML, rendered here."""
    html, missing = printer.part_html(part)
    first = printer.guide.sections[0].id
    nested = part.answer_sections is not None and first not in part.answer_sections
    return Task(html, path, True, frozenset(missing), nested, large, body=not part.front)


def footers_task(printer: Printer, first: int, count: int, total: int, path: str) -> Task:
    """Return the task of laying out `count` empty pages whose footers read "page N of `total`", N from `first`."""
    part = Part(front=False, sections=(), answers=False, headers=False, total=total, first_page=first)
    template = environment(printer.options.templates).get_template("pdf/footers.html")
    css = Markup(printer.css(part))
    html = template.render(meta=printer.guide.meta, css=css, count=count, direction=printer.words.direction)
    return Task(html, path, tagged=False)


def made(make: Callable[[], Task]) -> Task | BaseException:
    """Return a task, or what making it raised (a worker raises it again, so it reaches the build)."""
    try:
        return make()
    except Exception as exc:  # noqa: BLE001  (re-raised in the worker, then in the build)
        return exc


def render_in_parts(printer: Printer, parts: Sequence[Part]) -> bytes:
    """Lay out the front matter and `parts` in worker processes and return the joined PDF's bytes."""
    import weasyprint  # noqa: F401  (imported once here, inherited by every forked worker)

    guide, options = printer.guide, printer.options
    for name in ("pdf/guide.html", "pdf/print.css", "pdf/footers.html"):  # compiled once, here, for every worker
        environment(options.templates).get_template(name)
    quiz = options.edition == "quiz"
    fronts = front_runs(printer)
    context = multiprocessing.get_context("fork")
    with (
        tempfile.TemporaryDirectory(prefix="studyguide-pdf-") as tmp,
        context.Pool(workers(), start_worker, (printer,), TASKS_PER_WORKER) as pool,
    ):
        progress.tell("pdf", planned=len(parts))  # to the display on a terminal, if any; workers tell each part
        makes = [partial(part_task, printer, front, None, True) for front in fronts]  # only counted
        makes += [partial(part_task, printer, part, str(Path(tmp, f"part-{i}.pdf"))) for i, part in enumerate(parts)]
        weights = [weight(guide, front, quiz) for front in fronts] + [weight(guide, part, quiz) for part in parts]
        laid = longest_first(pool, makes, weights)
        counted, body = laid[: len(fronts)], laid[len(fronts) :]
        joined = Joined(Path(tmp, "joined.pdf"))
        heads, feet, front_pages = final_front(pool, printer, fronts, body, sum(c.pages for c in counted), joined, tmp)
        for k, head in enumerate(heads):  # fewer pages than counted: blank pages keep every number true (rare)
            joined.add(head, front=True, blank=front_pages - sum(h.pages for h in heads) if k == len(heads) - 1 else 0)
        joined.stamp(feet)
        joined.save()
        return joined.path.read_bytes()


def front_runs(printer: Printer) -> list[Part]:
    """Return the front matter's layouts, with placeholder page numbers: one, or the contents in runs of sections.

    A contents of more than CONTENTS_RUN entries is laid out in runs of whole sections, each from a
    new page, so no layout grows with the guide (at 4,200 questions one contents layout took
    945 MiB); a template that does not list `toc_sections` gets the contents whole.
    """
    guide, options = printer.guide, printer.options
    quiz = options.edition == "quiz"
    targets = [s.id for s in guide.sections] + [q.id for q in guide.questions] + (["_answers"] if quiz else [])
    pages = dict.fromkeys(targets, placeholder(guide, options))
    front = Part(sections=(), answers=False, footer=False, pages=pages)
    env = environment(options.templates)
    assert env.loader is not None
    grouped = runs([(s.id, 1.0 + len(s.questions)) for s in guide.sections], CONTENTS_RUN)
    if len(grouped) < 2 or "toc_sections" not in env.loader.get_source(env, "pdf/guide.html")[0]:
        return [front]
    return [replace(front, contents=run) for run in grouped]


def final_front(
    pool: multiprocessing.pool.Pool,
    printer: Printer,
    fronts: list[Part],
    body: list[Laid],
    front_pages: int,
    joined: Joined,
    tmp: str,
) -> tuple[list[Laid], list[Laid], int]:
    """Lay out the front matter with the real page numbers, and the footers, while the body is joined.

    Return the front matter's layouts, the footers' and the front matter's page count (at least
    what its layouts fill: the contents' numbers were counted with it).
    """
    for round_ in range(ROUNDS):
        numbers, total = page_numbers(body, front_pages)
        makes = []
        for k, front in enumerate(fronts):
            final = replace(front, pages={target: numbers[target] for target in front.pages or ()})
            makes.append(partial(part_task, printer, final, f"{tmp}/front-{k}.pdf", True))
        for start in range(2, total + 1, FOOTERS_PER_RUN):  # the cover, page 1, has no footer
            count = min(FOOTERS_PER_RUN, total + 1 - start)
            makes.append(partial(footers_task, printer, start, count, total, f"{tmp}/footers-{start}.pdf"))
        laying = pool.imap(run, (made(make) for make in makes))  # the HTML rendered as the workers take it
        if not round_:  # join the body while the workers lay out the front matter and footers
            for laid in body:
                joined.add(laid)
        done = list(laying)
        heads, feet = done[: len(fronts)], done[len(fronts) :]
        if sum(h.pages for h in heads) <= front_pages:
            return heads, feet, front_pages
        front_pages = sum(h.pages for h in heads)
    raise RuntimeError(f"the contents did not settle on a page count after {ROUNDS} layouts")


def weight(guide: Guide, part: Part, quiz: bool) -> float:
    """Return about how many pages a part fills."""
    if part.front:
        shown = [s for s in guide.sections if part.contents is None or s.id in part.contents]
        return 1 + sum(1 + len(s.questions) for s in shown) / CONTENTS_ENTRIES_PER_PAGE
    if part.answer_sections is not None:
        return sum(estimate(s, False) for s in guide.sections if s.id in part.answer_sections)
    return sum(estimate(s, quiz) for s in guide.sections if part.sections is None or s.id in part.sections)


def longest_first(
    pool: multiprocessing.pool.Pool, makes: Sequence[Callable[[], Task]], weights: list[float]
) -> list[Laid]:
    """Run the tasks, the heaviest first (so no core is left with one long part at the end); return them in order.

    Each task's print HTML is rendered here just before a worker takes it (in the pool's feeding
    thread), so only a few parts' HTML are ever held at once.
    """
    order = sorted(range(len(makes)), key=lambda i: -weights[i])
    results: dict[int, Laid] = dict(zip(order, pool.imap(run, (made(makes[i]) for i in order)), strict=True))
    return [results[i] for i in range(len(makes))]


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
