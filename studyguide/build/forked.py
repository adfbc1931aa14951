"""The costly outputs (the PDF) rendered in a forked process while the build renders the others."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from studyguide.renderers import registry
from studyguide.stages import Job

if TYPE_CHECKING:  # imported when the PDF is laid out beside the other outputs: a deck build never needs them
    import concurrent.futures

Rendered = tuple[bytes, float] | str  # the bytes and seconds, or why the renderer failed


@contextlib.contextmanager
def beside(job: Job, costly: dict[str, object]) -> Iterator[dict[str, concurrent.futures.Future[Rendered]]]:
    """Render the costly outputs in a forked process, one after another, while the caller renders the rest."""
    if not costly or (os.cpu_count() or 1) < 2:
        yield {}
        return
    import concurrent.futures
    import multiprocessing

    # A fork pool starts its process in this thread at the first submit, before the others render: the process
    # inherits the job and the prepared values as they are, their pages shared with this process until either
    # side writes them. Handed as arguments, they were pickled by the pool's own thread while this one filled
    # the model's cached properties ("dictionary changed size during iteration"), and unpickled into a private
    # copy of the whole guide (the build's peak Pss at 4,200 questions was 1,613 MiB).
    context = multiprocessing.get_context("fork")
    _inherited.update(costly)
    _inherited[""] = job
    try:
        with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            yield {name: pool.submit(_render_inherited, name) for name in costly}
    finally:
        _inherited.clear()


_inherited: dict[str, Any] = {}  # the job (at "") and each costly output's prepared value, for the forked process


def _render_inherited(name: str) -> Rendered:
    """Render one output in the forked process from the job and the value it inherited from its parent."""
    return render_one(name, _inherited[""], _inherited[name])


def render_one(name: str, job: Job, prepared: object) -> Rendered:
    """Render one output and time it; a renderer's own failure is named, never raised (the others go on)."""
    started = time.perf_counter()
    try:
        data = registry()[name].render(job, prepared)
    except Exception as exc:  # a renderer's bug or a template's refused resource: this output fails alone
        return f"{type(exc).__name__}: {exc}"
    return data, time.perf_counter() - started
