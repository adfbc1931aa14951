"""The build workflow: skip what is unchanged, render the rest (the PDF beside the others), write atomically."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, versions
from .errors import ContentError
from .model import Guide
from .output import write_atomic
from .renderers import RENDERERS, Options
from .rich import open_cache, prepare

if TYPE_CHECKING:
    import concurrent.futures

STATE_FILE = ".studyguide-state.json"
LIBRARIES = (
    "markdown-it-py",
    "mdit-py-plugins",
    "jinja2",
    "genanki",
    "weasyprint",
    "ziamath",
    "pygments",
    "pydyf",
    "pikepdf",
)


@dataclass(frozen=True)
class Outcome:
    """What the build did for one output."""

    name: str
    path: Path
    status: str  # "written", "unchanged" or "failed"
    size: int = 0
    seconds: float = 0.0
    error: str = ""


def fingerprints(content: Path, names: list[str], options: Options) -> dict[str, str]:
    """Return, per output, a hash of all it depends on: content, templates, code, libraries, options."""
    digest = hashlib.sha256()
    digest.update(f"{__version__}\0{options.paper}\0{options.edition}\0".encode())
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode() + b"\0")
    for library in LIBRARIES:
        digest.update(f"{library}={versions.version(library) or 'none'}\0".encode())
    versions.hash_tree(digest, content)
    versions.hash_tree(digest, options.templates)
    digest.update(versions.code_digest().encode())
    common = digest.hexdigest()
    return {name: hashlib.sha256(f"{common}\0{name}".encode()).hexdigest() for name in names}


def unchanged(inputs: dict[str, str], names: list[str], out: Path) -> list[Outcome] | None:
    """Return the outputs as they are if every one was built from these inputs (no need even to parse), else None."""
    state = _read_state(out)
    by_inputs = {record.get("inputs"): name for name, record in state.items() if isinstance(record, dict)}
    outcomes = []
    for name in names:
        filename = by_inputs.get(inputs[name])
        if filename is None or not _up_to_date(out / filename, inputs[name], state[filename]):
            return None
        outcomes.append(Outcome(name, out / filename, "unchanged", (out / filename).stat().st_size))
    return outcomes


def _read_state(out: Path) -> dict[str, dict[str, str]]:
    """Return the recorded inputs and output hashes of the last build in this folder."""
    try:
        state = json.loads((out / STATE_FILE).read_text(encoding="utf-8"))
        return state if isinstance(state, dict) else {}
    except (OSError, ValueError):
        return {}


def _up_to_date(path: Path, inputs: str, record: dict[str, str] | None) -> bool:
    """Return whether an output exists, is the file the last build wrote, and its inputs are unchanged."""
    if not record or record.get("inputs") != inputs or not path.is_file():
        return False
    return hashlib.sha256(path.read_bytes()).hexdigest() == record.get("sha256")


def _render(name: str, guide: Guide, options: Options) -> tuple[bytes, float]:
    """Render one output in memory and time it."""
    started = time.perf_counter()
    data = RENDERERS[name].render(guide, options)
    return data, time.perf_counter() - started


def _remove_stale_temporaries(path: Path) -> None:
    """Remove temporary files a killed build left beside an output."""
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        stale.unlink(missing_ok=True)


class Ticker:
    """Shows elapsed time on a terminal while long outputs render."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Ticker:
        if sys.stderr.isatty() and self.names:
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()
            print("\r\033[K", end="", file=sys.stderr, flush=True)

    def _run(self) -> None:
        started = time.monotonic()
        while not self.stop.wait(1.0):
            elapsed = time.monotonic() - started
            print(f"\r\033[Kbuilding {', '.join(self.names)}… {elapsed:.0f} s", end="", file=sys.stderr, flush=True)


def build(
    guide: Guide,
    names: list[str],
    out: Path,
    options: Options,
    force: bool = False,
    inputs: dict[str, str] | None = None,
) -> list[Outcome]:
    """Build the named outputs; raise ContentError (writing nothing) if any renderer finds bad content.

    `inputs` are the outputs' fingerprints when the caller has already computed them.
    """
    state = _read_state(out)
    inputs = inputs or fingerprints(guide.root, names, options)
    paths = {name: out / RENDERERS[name].filename(guide, options) for name in names}
    todo = [n for n in names if force or not _up_to_date(paths[n], inputs[n], state.get(paths[n].name))]
    results: dict[str, tuple[bytes, float]] = {}
    problems: list[ContentError] = []
    failures: dict[str, str] = {}

    def collect(name: str, job: concurrent.futures.Future[tuple[bytes, float]] | None) -> None:
        try:
            results[name] = job.result() if job else _render(name, guide, options)
        except ContentError as exc:
            problems.append(exc)
        except Exception as exc:  # a renderer's own failure: name it, keep its old file, keep the others going
            failures[name] = f"{type(exc).__name__}: {exc}"

    if {"html", "pdf"} & set(todo):
        # Draw every formula once, here, before the outputs (and the PDF's process) need them.
        prepare(guide, open_cache(options))
    # The PDF costs far more than the rest: lay it out in a forked process (started before the
    # ticker's thread) while this one does the others.
    parallel = "pdf" in todo and len(todo) > 1 and (os.cpu_count() or 1) > 1
    pool = None
    if parallel:
        import concurrent.futures
        import multiprocessing

        pool = concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    try:
        job = pool.submit(_render, "pdf", guide, options) if pool is not None else None
        with Ticker(todo):
            for name in todo:
                if job is None or name != "pdf":
                    collect(name, None)
            if job is not None:
                collect("pdf", job)
    finally:
        if pool is not None:
            pool.shutdown()
    if problems:
        raise ContentError([p for exc in problems for p in exc.problems])
    outcomes = []
    for name in names:
        path = paths[name]
        if name in failures:
            outcomes.append(Outcome(name, path, "failed", error=failures[name]))
        elif name in results:
            data, seconds = results[name]
            _remove_stale_temporaries(path)
            write_atomic(path, data)
            state[path.name] = {"inputs": inputs[name], "sha256": hashlib.sha256(data).hexdigest()}
            outcomes.append(Outcome(name, path, "written", len(data), seconds))
        else:
            outcomes.append(Outcome(name, path, "unchanged", path.stat().st_size))
    if results:
        write_atomic(out / STATE_FILE, json.dumps(state, indent=1, sort_keys=True).encode())
    return outcomes
