"""The one build lifecycle, top to bottom: a Request goes up-to-date check -> load -> validate -> prepare ->
release -> render -> write. Every format is a `Renderer` of the registry; nothing here names one.

1. If every requested output was built from exactly these inputs (content, its templates, code,
   libraries, options), stop: they were valid and written then; nothing is even parsed.
2. Load: the parser turns the content folder into the frozen model, each file's own problems beside it.
3. Validate: one pass finds every remaining problem (links, images, formulas, the lock...) and
   raises them all at once; it hands the renderers what it read and drew (`Resources`), drawing
   the formulas only when a requested format `needs` them.
4. Check only (lint); or prepare: each format's pure `prepare` value, computed at most once (the
   deck's notes), whose `snapshot` the release writes into the lock and the change report compares.
5. Date each question from git when a format needs its `history`.
6. Render each output not up to date: the `costly` ones (the PDF) in a forked process beside the others.
7. Write each output atomically, and the state file; a renderer that failed keeps its old file.

The command line builds a Request and prints what comes back; nothing here parses argv or exits.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from studyguide import release
from studyguide.build import state
from studyguide.build.forked import Rendered, beside, render_one
from studyguide.check.lint import lint
from studyguide.check.validate import validate
from studyguide.errors import ContentError, Problem, counted
from studyguide.model import Guide
from studyguide.parse.parser import parse
from studyguide.release import history
from studyguide.renderers import Renderer, registry
from studyguide.stages import Job, Need, Options, Snapshot
from studyguide.store.cache import Cache, default_folder
from studyguide.store.files import exclusive, remove_stale_temporaries, write_atomic


@dataclass(frozen=True)
class Request:
    """One build: what to read, where to write, which outputs, and how."""

    content: Path
    out: Path
    formats: tuple[str, ...] = ()  # format names (registry()); none: every format
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


def load(
    content: Path, options: Options | None = None, cache: Cache | None = None, svg: bool = True, diagrams: bool = True
) -> Job:
    """Parse and validate a content folder; return the renderers' job, or raise ContentError with every problem.

    The parser's warnings (Markdown that builds but may not mean what was meant) ride on the job.
    """
    cache = cache or Cache(None)
    guide, found = parse(content, cache)
    warnings = [p for p in found if p.severity == "warning"]
    try:
        resources = validate(guide, [p for p in found if p.severity == "error"], cache, svg, diagrams)
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
    formats = registry()
    names = list(request.formats or formats)
    chosen = [formats[name] for name in names]
    inputs = None
    if not (request.check or request.release_at is not None):
        inputs = state.fingerprints(request.content, chosen, request.options)
        files = None if request.force else state.unchanged(inputs, request.out)
        if files is not None:  # built from exactly these inputs, which were valid then
            unchanged = [Outcome(name, path, "unchanged", path.stat().st_size) for name, path in files.items()]
            for outcome in unchanged:
                report.done(outcome)
            return unchanged
    cache = Cache(request.cache)
    needs: set[Need] = {need for renderer in chosen for need in renderer.needs}
    job = load(request.content, request.options, cache, request.check or "formulas" in needs, "diagrams" in needs)
    if request.check:
        check(job, report)
        return []
    prepared = Prepared(job)
    if request.release_at is not None:
        job = release_deck(job, prepared, request.release_at, report)
        inputs = state.fingerprints(request.content, chosen, request.options)  # the lock just changed
    for warning in job.warnings:
        report.warn(warning)
    if "history" in needs:
        job = with_history(job, report)
    assert inputs is not None
    outcomes = write(job, prepared, names, inputs, request, report)
    keeper = next((r for r in chosen if r.keeps_state), None)
    if keeper and request.release_at is None and all(o.status != "failed" for o in outcomes):
        snapshot = prepared.snapshot(keeper)
        assert snapshot is not None
        report.closing.append(f"{keeper.name}: {release.changes(job, snapshot).summary()}")
    if cache.hits or cache.misses:
        report.closing.append(cache.summary())
    return outcomes


class Prepared:
    """Each format's `prepare` value for one build, computed at most once (the deck's notes: release and render)."""

    def __init__(self, job: Job) -> None:
        self.job = job  # the job as loaded: what a format prepares does not depend on the lock or the history
        self.values: dict[str, object] = {}

    def of(self, renderer: Renderer) -> object:
        """Return a format's prepared value."""
        if renderer.name not in self.values:
            self.values[renderer.name] = renderer.prepare(self.job)
        return self.values[renderer.name]

    def snapshot(self, renderer: Renderer) -> Snapshot | None:
        """Return what the release lock compares for a format."""
        return renderer.snapshot(self.job, self.of(renderer))


def check(job: Job, report: Report) -> None:
    """Report the parser's warnings and the lint's, and the guide's size (`check` writes nothing)."""
    warnings = sorted([*job.warnings, *lint(job.guide)], key=lambda p: (str(p.path), p.line, p.message))
    for warning in warnings:
        report.warn(warning)
    guide = job.guide
    sizes = counted(len(guide.questions), "question"), counted(len(guide.sections), "section")
    report.say(f"ok: {sizes[0]} in {sizes[1]}, {counted(len(warnings), 'warning')}")


def release_deck(job: Job, prepared: Prepared, now: int, report: Report) -> Job:
    """Write the lock of the format whose learners keep state (whatever formats are built); return the new job."""
    for keeper in (r for r in registry().values() if r.keeps_state):
        snapshot = prepared.snapshot(keeper)
        assert snapshot is not None
        found, job = release.release(job, snapshot, now)
        report.say(f"released {release.lock_path(job.guide)}: {found.summary()}")
    return job


def with_history(job: Job, report: Report) -> Job:
    """Date each question by its file's last change in git, so an edit reaches learners without a release."""
    found = history.file_times(job.guide.root, job.guide.files)
    for warning in found.warnings if found else ():
        report.warn(warning)
    if found is None or not found.times:
        report.closing.append(
            "the content is not in a git work tree, so an edited question reaches learners "
            "who imported an earlier deck only once you run `studyguide release`"
        )
        return job
    edited = {q.id: found.times.get(q.source.path, 0) for q in job.guide.questions}
    return dataclasses.replace(job, edited=edited)


def write(
    job: Job, prepared: Prepared, names: list[str], inputs: dict[str, str], request: Request, report: Report
) -> list[Outcome]:
    """Render the outputs that are not up to date and write each as soon as it is ready; one build per folder.

    The page and the deck are written while the PDF is still being laid out, so an author in
    `--watch` sees the page change at once.
    """
    out = request.out
    formats = registry()
    paths = {name: out / formats[name].filename(job.guide, job.options) for name in names}
    with exclusive(out):  # a second build into this folder waits, then finds its outputs up to date
        recorded = state.read_state(out)
        todo = [n for n in names if request.force or not state.up_to_date(paths[n], inputs[n], recorded)]
        outcomes = {n: Outcome(n, paths[n], "unchanged", paths[n].stat().st_size) for n in names if n not in todo}
        for outcome in outcomes.values():
            report.done(outcome)
        for name, result in render(job, prepared, todo, report.working):
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


def render(
    job: Job,
    prepared: Prepared,
    names: list[str],
    working: Callable[[list[str]], AbstractContextManager[None]] = _quiet,
) -> Iterator[tuple[str, Rendered]]:
    """Render the named outputs in memory, yielding each when ready: the costly ones (the PDF) last, laid out
    in a forked process while the others render.

    The process is forked before `working` (a progress display) may start a thread.
    """
    formats = registry()
    costly = [name for name in names if formats[name].costly] if len(names) > 1 else []
    costly_values = {name: prepared.of(formats[name]) for name in costly}
    with beside(job, costly_values) as futures, working(names):
        for name in names:
            if name not in futures:
                yield name, render_one(name, job, prepared.of(formats[name]))
        for name in costly:
            yield name, futures[name].result()


__all__ = ["ContentError", "Outcome", "Report", "Request", "load", "load_guide", "run"]
