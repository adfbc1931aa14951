"""`studyguide watch` and `studyguide serve`: build, then rebuild on every save until Ctrl-C.

Saves are heard from the operating system through watchfiles (inotify on Linux, FSEvents on
macOS) rather than by polling every file: a save is seen at once, and an idle loop costs nothing.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from studyguide.author.output import Shown, build
from studyguide.build.pipeline import Outcome, Request
from studyguide.errors import shown

EXIT_OK, EXIT_USAGE = 0, 2
LOOK = 200  # ms: how long the watcher waits for a save before it looks at Ctrl-C and the stop flag again


def changes(folders: list[Path], stop: threading.Event) -> Iterator[set[Path]]:
    """Yield the files changed below the folders each time saves settle, and an empty set every `LOOK` ms.

    The watcher listens from the first empty set on, and keeps what it hears while the caller
    builds: a save made before or during a build is never missed. Stop when `stop` is set.
    """
    import watchfiles  # only the loops need it

    # watchfiles' default filter leaves out editors' swap and backup files, .git and __pycache__.
    found = watchfiles.watch(
        *folders,
        stop_event=stop,
        raise_interrupt=True,  # (the loop catches it; False would log a warning to stderr)
        debounce=300,
        step=50,
        rust_timeout=LOOK,
        yield_on_timeout=True,
    )
    for changed in found:
        yield {Path(path) for _, path in changed}


@contextmanager
def interrupts(stop: threading.Event) -> Iterator[None]:
    """Set `stop` on Ctrl-C, then do what Ctrl-C did before (raise KeyboardInterrupt, or end a worker).

    Python drops a KeyboardInterrupt raised while a __del__ or a callback runs; the flag stays.
    """
    previous = signal.getsignal(signal.SIGINT)
    parent = os.getpid()

    def interrupted(signum: int, frame: FrameType | None) -> None:
        if os.getpid() == parent:
            stop.set()
        if callable(previous):
            previous(signum, frame)
        else:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def loop(request: Request, step: Callable[[], object], listen: Callable[[], None] = lambda: None) -> int:
    """Run `step` once the watcher listens, then after each save of content or templates, until Ctrl-C."""
    stop = threading.Event()
    folders = [request.content, request.options.templates]
    started = False
    with interrupts(stop):
        try:
            for changed in changes(folders, stop):
                if stop.is_set():
                    break
                if started and not changed:
                    continue
                started = True
                step()
                listen()
        except KeyboardInterrupt:
            pass
    return EXIT_OK


def watch(request: Request, how: Shown) -> int:
    """Rebuild on every save of content or templates; report errors and keep watching until Ctrl-C."""

    def step() -> None:
        print(f"[{time.strftime('%H:%M:%S')}] building", flush=True)
        build(request, how)

    def listen() -> None:
        print(f"[{time.strftime('%H:%M:%S')}] watching {request.content} and {request.options.templates}", flush=True)

    return loop(request, step, listen)


def serve(request: Request, port: int, how: Shown) -> int:
    """Build, serve the page on 127.0.0.1, and after each save rebuild what changed and reload the browser."""
    from studyguide.author.server import Preview, start

    preview = Preview(request)
    try:
        server = start(preview, port)
    except OSError as exc:
        print(f"studyguide serve: error: port {port} on 127.0.0.1: {shown(exc.strerror or str(exc))}", file=sys.stderr)
        return EXIT_USAGE

    def heard(outcome: Outcome) -> None:
        preview.output(outcome)

    def step() -> None:
        print(f"[{time.strftime('%H:%M:%S')}] building", flush=True)
        how.error = None
        build(request, how, heard)
        preview.built(how.error)

    def listen() -> None:
        print(f"[{time.strftime('%H:%M:%S')}] watching {request.content} and {request.options.templates}", flush=True)

    bound = server.server_address[1]
    print(f"serving http://127.0.0.1:{bound}/ (the page; /cards: the cards; Ctrl-C stops)", flush=True)
    try:
        return loop(request, step, listen)
    finally:
        preview.close()
        server.shutdown()
        server.server_close()
