"""The one build pipeline, top to bottom: a Request goes load -> validate -> up-to-date check -> render -> write.

1. If every requested output was built from exactly these inputs (content, templates, code,
   libraries, options), stop: they were valid and written then; nothing is even parsed.
2. Load: the parser turns the content folder into the frozen model, each file's own problems beside it.
3. Validate: one pass finds every remaining problem (links, images, formulas, the lock...) and
   raises them all at once; it hands the renderers what it read and drew (`Resources`).
4. Check only (lint), or release (write the Anki lock), or report what changed since the release.
5. Render each output not up to date: the PDF in a forked process beside the others.
6. Write each output atomically, and the state file; a renderer that failed keeps its old file.

The command line builds a Request and prints what comes back; nothing here parses argv or exits.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import history, release, state
from .cache import Cache, default_folder
from .errors import ContentError, Problem
from .lint import lint
from .model import Guide
from .output import exclusive, remove_stale_temporaries, write_atomic
from .parser import parse
from .pitfalls import WARNING
from .renderers import RENDERERS, Options
from .renderers.base import Job
from .validate import validate

if TYPE_CHECKING:  # imported when the PDF is laid out beside the other outputs: a deck build never needs them
    import concurrent.futures


@dataclass(frozen=True)
class Request:
    """One build: what to read, where to write, which outputs, and how."""

    content: Path
    out: Path
    formats: tuple[str, ...] = ("anki", "pdf", "html")
    options: Options = Options()
    cache: Path | None = None  # the cache folder; None: cache nothing
    check: bool = False  # validate and lint only; write nothing
    release_at: int | None = None  # release the Anki deck at this time (Unix seconds) before building
    force: bool = False  # render even the outputs whose inputs are unchanged


@dataclass(frozen=True)
class Outcome:
    """What the build did for one output."""

    name: str
    path: Path
    status: str  # "written", "unchanged" or "failed"
    size: int = 0
    seconds: float = 0.0
    error: str = ""


def _quiet(names: list[str]) -> AbstractContextManager[None]:
    return contextlib.nullcontext()


@dataclass
class Report:
    """What a build tells its caller as it goes: lines to show, warnings, and a progress display."""

    say: Callable[[str], None] = lambda line: None
    warn: Callable[[Problem], None] = lambda problem: None
    working: Callable[[list[str]], AbstractContextManager[None]] = _quiet
    done: Callable[[Outcome], None] = lambda outcome: None  # each output as soon as it is written (or not)
    closing: list[str] = field(default_factory=list)  # lines for after the outputs: the deck's changes, the cache


def load(content: Path, options: Options | None = None, cache: Cache | None = None, svg: bool = True) -> Job:
    """Parse and validate a content folder; return the renderers' job, or raise ContentError with every problem.

    The parser's warnings (Markdown that builds but may not mean what was meant) ride on the job.
    """
    cache = cache or Cache(None)
    guide, found = parse(content, cache)
    warnings = [p for p in found if p.message.startswith(WARNING)]
    try:
        resources = validate(guide, [p for p in found if not p.message.startswith(WARNING)], cache, svg)
    except ContentError as exc:  # the warnings too: the author fixes everything in one round
        raise ContentError([*exc.problems, *warnings]) from None
    return Job(guide, resources, options or Options(), cache, warnings=tuple(warnings))


def load_guide(content: Path) -> Guide:
    """Return a valid content folder's model (raise ContentError with every problem).

    Formulas a build has drawn are taken from the cache a build uses (default_folder), unless
    that folder is inside the content: validating a guide draws every formula otherwise.
    """
    folder = default_folder().resolve()
    return load(content, cache=Cache(None if folder.is_relative_to(content.resolve()) else folder)).guide


def run(request: Request, report: Report | None = None) -> list[Outcome]:
    """Run one build and return each output's outcome; raise ContentError (writing nothing) for bad content."""
    report = report or Report()
    names = list(request.formats)
    inputs = None
    if not (request.check or request.release_at is not None):
        inputs = state.fingerprints(request.content, names, request.options)
        files = None if request.force else state.unchanged(inputs, request.out)
        if files is not None:  # built from exactly these inputs, which were valid then
            unchanged = [Outcome(name, path, "unchanged", path.stat().st_size) for name, path in files.items()]
            for outcome in unchanged:
                report.done(outcome)
            return unchanged
    cache = Cache(request.cache)
    svg = request.check or bool({"html", "pdf"} & set(names))  # a deck alone needs no formula drawn
    job = load(request.content, request.options, cache, svg)
    if request.check:
        warnings = sorted([*job.warnings, *lint(job.guide)], key=lambda p: (str(p.path), p.line, p.message))
        for warning in warnings:
            report.warn(warning)
        guide = job.guide
        report.say(
            f"ok: {len(guide.questions)} questions in {len(guide.sections)} sections, {len(warnings)} warning(s)"
        )
        return []
    if request.release_at is not None:
        found, job = release.release(job, request.release_at)
        report.say(f"released {release.lock_path(job.guide)}: {found.summary()}")
        inputs = state.fingerprints(request.content, names, request.options)  # the lock just changed
    for warning in job.warnings:
        report.warn(warning)
    if "anki" in names:
        job = with_history(job, report)
    assert inputs is not None
    outcomes = write(job, names, inputs, request, report)
    if "anki" in names and request.release_at is None and all(o.status != "failed" for o in outcomes):
        report.closing.append(f"anki deck: {release.changes(job).summary()}")
    if cache.hits or cache.misses:
        report.closing.append(cache.summary())
    return outcomes


def with_history(job: Job, report: Report) -> Job:
    """Date each question by its file's last change in git, so an edit reaches learners without a release."""
    found = history.file_times(job.guide.root, job.guide.files)
    for warning in found.warnings if found else ():
        report.warn(warning)
    if found is None or not found.times:
        report.closing.append(
            "anki deck: the content is not in a git work tree, so an edited question reaches learners "
            "who imported an earlier deck only once you run `studyguide release`"
        )
        return job
    edited = {q.id: found.times.get(q.source.path, 0) for q in job.guide.questions}
    return dataclasses.replace(job, edited=edited)


def write(job: Job, names: list[str], inputs: dict[str, str], request: Request, report: Report) -> list[Outcome]:
    """Render the outputs that are not up to date and write each as soon as it is ready; one build per folder.

    The page and the deck are written while the PDF is still being laid out, so an author in
    `--watch` sees the page change at once.
    """
    out = request.out
    paths = {name: out / RENDERERS[name].filename(job.guide, job.options) for name in names}
    with exclusive(out):  # a second build into this folder waits, then finds its outputs up to date
        recorded = state.read_state(out)
        todo = [n for n in names if request.force or not state.up_to_date(paths[n], inputs[n], recorded)]
        outcomes = {n: Outcome(n, paths[n], "unchanged", paths[n].stat().st_size) for n in names if n not in todo}
        for outcome in outcomes.values():
            report.done(outcome)
        for name, result in render(job, todo, report.working):
            path = paths[name]
            if isinstance(result, str):
                outcomes[name] = Outcome(name, path, "failed", error=result)
            else:
                data, seconds = result
                remove_stale_temporaries(path)
                write_atomic(path, data)
                state.record(recorded, path, inputs[name], data)
                outcomes[name] = Outcome(name, path, "written", len(data), seconds)
            report.done(outcomes[name])
        if any(o.status == "written" for o in outcomes.values()):
            state.write_state(out, recorded)
    return [outcomes[name] for name in names]


Rendered = tuple[bytes, float] | str  # the bytes and seconds, or why the renderer failed


def render(
    job: Job, names: list[str], working: Callable[[list[str]], AbstractContextManager[None]] = _quiet
) -> Iterator[tuple[str, Rendered]]:
    """Render the named outputs in memory, yielding each when ready: the PDF, which costs far more, last, from a
    forked process that lays it out while the others render.

    The process is forked before `working` (a progress display) may start a thread.
    """
    with _beside(job, "pdf" if "pdf" in names and len(names) > 1 else None) as pdf, working(names):
        for name in names:
            if pdf is None or name != "pdf":
                yield name, _render_one(name, job)
        if pdf is not None:
            yield "pdf", pdf.result()


@contextlib.contextmanager
def _beside(job: Job, name: str | None) -> Iterator[concurrent.futures.Future[Rendered] | None]:
    """Render one output in a forked process while the caller renders the rest (only with more than one core)."""
    if name is None or (os.cpu_count() or 1) < 2:
        yield None
        return
    import concurrent.futures
    import multiprocessing

    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        yield pool.submit(_render_one, name, job)


def _render_one(name: str, job: Job) -> Rendered:
    """Render one output and time it; a renderer's own failure is named, never raised (the others go on)."""
    started = time.perf_counter()
    try:
        data = RENDERERS[name].render(job)
    except Exception as exc:  # a renderer's bug or a template's refused resource: this output fails alone
        return f"{type(exc).__name__}: {exc}"
    return data, time.perf_counter() - started


__all__ = ["ContentError", "Outcome", "Report", "Request", "load", "load_guide", "run"]
