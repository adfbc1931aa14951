"""The one validation pass: every problem of a parsed guide at once, and what the renderers need from it.

It checks what spans files (ids, titles, links), every link at its own line, every image (inside
the folder, decoded as the type its name says), every formula (drawn for the page and the PDF,
and free of commands that would act in Anki's MathJax) and the Anki lock's structure. What it
reads and draws on the way, it hands on as `Resources`: the renderers never read content files and
never find a content problem.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from studyguide.check.dates import build_epoch
from studyguide.check.media import read_images
from studyguide.errors import ContentError, Problem
from studyguide.markup import diagrams
from studyguide.markup.diagrams import DiagramError
from studyguide.markup.math.split import drawn_pieces, pieces
from studyguide.markup.math.svg import MathError, draw
from studyguide.markup.math.typeset import MAX_FORMULA_CHARS
from studyguide.model import Guide, Question, Source
from studyguide.parse.reading import SLUG
from studyguide.release import lock
from studyguide.stages import Lock, Resources
from studyguide.store.cache import Cache

LINK_SCHEMES = ("http://", "https://", "mailto:")
# Limits on what reaches an output, beyond the parser's own (title, answer, file): documented in the
# README; each keeps a build's time and memory linear in the content's size.
MAX_ID_CHARS = 64
MAX_CORE_CHARS = 2_000
MAX_SOURCES_CHARS = 5_000
MAX_URL_CHARS = 2_000
MAX_TABLE_CELLS = 2_000
# Formulas placed (each occurrence, drawn or not before; a long inline one once for each piece a line may
# break between, split.py): the PDF lays out each as an image, about 1 ms and 30 to 45 KiB of WeasyPrint's
# memory apiece. A question's keep its layout short; a section's keep a PDF part's memory in bounds (a part
# holds whole sections); the guide's, the whole PDF's time.
MAX_QUESTION_FORMULAS = 1_000
MAX_SECTION_FORMULAS = 5_000
MAX_FORMULAS = 100_000


def validate(
    guide: Guide, problems: list[Problem], cache: Cache | None = None, svg: bool = True, diagrams: bool = True
) -> Resources:
    """Check the guide (adding to the parser's `problems`); raise one ContentError with all of them, sorted.

    With `svg` false (no output needs the formulas drawn) a formula already drawn is not read again;
    with `diagrams` false, the same for a diagram.
    """
    found = list(problems)
    found += _unique(guide)
    found += _links(guide)
    found += _sizes(guide)
    found += _formula_counts(guide)
    images, image_problems = read_images(guide)
    formulas, formula_problems = _formulas(guide, cache or Cache(None), svg)
    drawings, diagram_problems = _diagrams(guide, cache or Cache(None), diagrams)
    epoch = _epoch(guide)
    locked, lock_problems = _lock(guide, epoch)
    found += image_problems + formula_problems + diagram_problems + lock_problems
    if found:
        raise ContentError(found)
    assert locked is not None
    return Resources(images, formulas, locked, epoch, drawings)


def _unique(guide: Guide) -> list[Problem]:
    """Report ids used twice (sections and questions share one namespace) and question titles used twice."""
    problems: list[Problem] = []
    seen_ids: dict[str, Source] = {}
    seen_titles: dict[str, Source] = {}

    def once(seen: dict[str, Source], key: str, source: Source, what: str) -> None:
        if key in seen:
            problems.append(Problem(source.path, source.line, f"{what} (first used at {seen[key]})"))
        seen.setdefault(key, source)

    for section in guide.sections:
        if section.id:
            once(seen_ids, section.id, section.source, f"duplicate id '{section.id}'")
        for q in section.questions:
            once(seen_ids, q.id, q.source, f"duplicate id '{q.id}'")
            once(seen_titles, q.title.casefold(), q.source, "duplicate question title")
    return problems


def _links(guide: Guide) -> list[Problem]:
    """Report, at the link's own line, links that leave the content and links to questions that do not exist."""
    problems: list[Problem] = []
    ids = {q.id for q in guide.questions}

    def target(q: Question, href: str, line: int) -> None:
        if href[1:] not in ids:
            problems.append(Problem(q.source.path, line, f"link to unknown question id '{href[1:]}'"))
        elif href[1:] == q.id:
            problems.append(Problem(q.source.path, line, "a question links to itself"))

    for q, node in guide.nodes("link"):
        href = node.attr("href")
        if href.startswith("#") and SLUG.match(href[1:]):
            target(q, href, node.line)
        elif not href.startswith(LINK_SCHEMES):
            message = f"link '{_short(href)}' not allowed: use http(s)://, mailto: or #question-id"
            problems.append(Problem(q.source.path, node.line, message))
    for q in guide.questions:
        for other in q.see_also:
            target(q, f"#{other}", q.see_also_line or q.source.line)
    return problems


def _sizes(guide: Guide) -> list[Problem]:
    """Report ids, core answers, sources, link addresses and tables beyond their limits."""
    problems: list[Problem] = []

    def over(size: int, limit: int, path: Path, line: int, what: str) -> None:
        if size > limit:
            problems.append(Problem(path, line, f"{what} of {size} characters: more than the limit of {limit}"))

    for section in guide.sections:
        over(len(section.id), MAX_ID_CHARS, section.source.path, section.source.line, "section id")
    for q in guide.questions:
        path, line = q.source.path, q.source.line
        over(len(q.id), MAX_ID_CHARS, path, line, "question id")
        if q.core is not None:
            over(len(q.core.plain_text()), MAX_CORE_CHARS, path, q.core.line or line, "core answer")
        if q.sources is not None:
            over(len(q.sources.plain_text()), MAX_SOURCES_CHARS, path, q.sources.line or line, "sources")
    for q, table in guide.nodes("table"):
        cells = sum(len(row.children) for part in table.children for row in part.children)
        if cells > MAX_TABLE_CELLS:
            message = f"table of {cells} cells: more than the limit of {MAX_TABLE_CELLS}"
            problems.append(Problem(q.source.path, table.line, message))
    for q, node in guide.nodes("link"):
        over(len(node.attr("href")), MAX_URL_CHARS, q.source.path, node.line, "link address")
    return problems


def _formula_counts(guide: Guide) -> list[Problem]:
    """Report the formula that takes its question, its section or the guide beyond the number of formulas allowed."""
    section_of = {id(q): s for s in guide.sections for q in s.questions}
    counts: Counter[tuple[str, int]] = Counter()
    limits = {"question": MAX_QUESTION_FORMULAS, "section": MAX_SECTION_FORMULAS, "guide": MAX_FORMULAS}
    problems: list[Problem] = []
    for q, node in guide.nodes("math_inline", "math_block"):
        placed = 1 if node.kind == "math_block" or len(node.text) > MAX_FORMULA_CHARS else len(pieces(node.text))
        for what, owner in (("question", id(q)), ("section", id(section_of[id(q)])), ("guide", 0)):
            counts[what, owner] += placed
            if counts[what, owner] - placed <= limits[what] < counts[what, owner]:
                problems.append(
                    Problem(q.source.path, node.line, _too_many(what, limits[what], counts[what, owner], placed))
                )
    return problems


def _too_many(what: str, limit: int, count: int, placed: int) -> str:
    """Say that a formula takes its question, section or guide past its limit (a long one placed in pieces)."""
    if placed == 1:
        return f"formula number {count:,} of this {what}: more than the limit of {limit:,}"
    pieces_of = f"a long formula counts once for each of the {placed} pieces a line may break between"
    return f"this formula takes this {what} to {count:,} formulas: more than the limit of {limit:,} ({pieces_of})"


def _formulas(guide: Guide, cache: Cache, svg: bool) -> tuple[dict[tuple[str, bool], str], list[Problem]]:
    """Draw every distinct formula once (through the cache); report each one that cannot be shown, at its line."""
    drawn: dict[tuple[str, bool], str] = {}
    problems: list[Problem] = []
    failed: dict[tuple[str, bool], str] = {}
    for q, node in guide.nodes("math_inline", "math_block"):
        key = (node.text, node.kind == "math_block")
        if key not in drawn and key not in failed:
            try:  # an inline formula is drawn in the pieces a line may break between (often one: itself)
                for piece in (node.text,) if key[1] or len(node.text) > MAX_FORMULA_CHARS else drawn_pieces(node.text):
                    drawn[(piece, key[1])] = draw(piece, key[1], cache, svg_needed=svg)
                drawn.setdefault(key, "")  # split: the outputs place the pieces
            except MathError as exc:
                failed[key] = str(exc)
        if key in failed:
            mark = "$$" if key[1] else "$"
            message = f"formula {mark}{_short(node.text)}{mark} cannot be rendered: {failed[key]}"
            problems.append(Problem(q.source.path, node.line, message))
    return drawn, _once_per_line(problems)


def _diagrams(guide: Guide, cache: Cache, needed: bool) -> tuple[dict[str, str], list[Problem]]:
    """Draw every distinct diagram once (through the cache); report one mermaid cannot draw at the line it names."""
    drawn: dict[str, str] = {}
    problems: list[Problem] = []
    failed: dict[str, DiagramError] = {}
    for q, node in guide.nodes("diagram"):
        if node.text not in drawn and node.text not in failed:
            try:
                drawn[node.text] = diagrams.draw(node.text, cache, needed)
            except DiagramError as exc:
                failed[node.text] = exc
        if node.text in failed:
            error = failed[node.text]
            line = node.line + min(error.line, node.text.count("\n")) if error.line else node.line
            problems.append(Problem(q.source.path, line, f"diagram cannot be drawn: {error}"))
    return drawn, _once_per_line(problems)


def _short(tex: str, limit: int = 120) -> str:
    """Return a formula shortened for a message."""
    return tex if len(tex) <= limit else tex[: limit - 1] + "…"


def _once_per_line(problems: list[Problem]) -> list[Problem]:
    """Drop repeats of the same message at the same place."""
    return list(dict.fromkeys(problems))


def _epoch(guide: Guide) -> int:
    """Return the date every output carries (0 for an invalid date, which guide.toml's check reports)."""
    try:
        return build_epoch(guide.meta)
    except ValueError:
        return 0


def _lock(guide: Guide, epoch: int) -> tuple[Lock | None, list[Problem]]:
    """Read the guide's Anki lock (empty if it was never released), reporting a malformed one."""
    try:
        return lock.read(guide.root / lock.LOCK_FILE, guide.meta.id, epoch), []
    except ContentError as exc:
        return None, exc.problems
