"""The worker processes that lay out a guide's parts: each is given print HTML and writes one PDF file per task.

The building process renders each part's print HTML and hands it over with the task, so a worker
never reads the model: forked from the building process, it shares the model's memory instead of
copying the pages that reading objects writes to (their reference counts). A worker lays out one
part after another, so what it loaded for one (fonts, hyphenation patterns, drawn glyph outlines)
serves the next, and is replaced by a fresh one after TASKS_PER_WORKER tasks: WeasyPrint keeps
about 1.4 MiB of every document it laid out (measured over 40 parts of 20 pages).
"""

from __future__ import annotations

import ctypes
import gc
import os
from dataclasses import dataclass
from pathlib import Path

from studyguide import progress
from studyguide.renderers.pdf.join import Laid
from studyguide.renderers.pdf.layout import Printer
from studyguide.renderers.pdf.reuse import Parts

TASKS_PER_WORKER = 24  # then a fresh worker: its first part takes about 0.4 s more


@dataclass(frozen=True)
class Task:
    """One layout: its print HTML, where to write it (None: only count its pages) and what the join needs to know."""

    html: str
    path: str | None
    tagged: bool = True  # PDF/UA-1; the footers, stamped on other pages, are not
    elsewhere: frozenset[str] = frozenset()  # stand-in anchors for targets held by another part
    nested: bool = False  # its outline continues the previous part's last entry
    large: bool = False  # a layout that grows with the guide (the contents): garbage collected as it goes
    body: bool = False  # a run of the guide's sections (or answers): told to the progress display when laid out


# The printer of this build and its cached parts, in a worker process: set by the pool's initializer.
_printer: Printer | None = None
_reuse: Parts | None = None


def start_worker(printer: Printer) -> None:
    """In a new worker: keep the build's printer; leave what it inherited out of garbage collection."""
    global _printer, _reuse
    gc.freeze()  # the parent's objects (modules, model) are never garbage here: collections skip them
    _printer = printer
    _reuse = Parts(printer.job.cache, printer.guide.meta.id)


def run(task: Task | BaseException) -> Laid:
    """In a worker: one layout (or the cache's), its memory freed and given back before the next task starts.

    WeasyPrint's laid-out pages hold reference cycles that only a full collection frees: a part's
    layout is collected once, after it is written, instead of during it (measured at 420
    questions: 0.24 s a part instead of 0.47 s of collections); a large layout as it goes, which
    keeps its peak lower (the contents of 4,200 questions: 945 MiB instead of 1,122).
    """
    if isinstance(task, BaseException):  # the building process failed to make the task: raised here, reported there
        raise task
    if not task.large:
        gc.disable()
    try:
        laid = _laid_out(task)
        if task.body:
            progress.tell("pdf", laid=1, pages=laid.pages)  # to the display on a terminal, if any
        return laid
    finally:
        gc.enable()
        gc.collect()
        give_back()


def _laid_out(task: Task) -> Laid:
    """Return the cached layout of the task's HTML, or lay it out (writing it to its path, if any) and keep it."""
    assert _printer is not None and _reuse is not None
    key = _reuse.key(task.html, task.tagged)
    found = _reuse.get(key, task.path)
    if found is not None:
        return found
    read: list[Path] = []
    document = _printer.layout(task.html, read)
    if task.path is not None:
        _printer.write(document, task.path, tagged=task.tagged)
    anchors: dict[str, int] = {}
    for k, page in enumerate(document.pages):
        for name in page.anchors:  # a box that spans pages names its anchor on each: the first is the target
            if name not in task.elsewhere:
                anchors.setdefault(name, k)
    result = Laid(len(document.pages), anchors, task.elsewhere, task.path, task.nested)
    _reuse.put(key, result, read)
    return result


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
