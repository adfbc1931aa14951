"""The one status line of a long build on a terminal: elapsed time and each output's progress (PDF parts, pages)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from studyguide.progress import Channel

SHOW_AFTER = 2.0  # seconds: a build shorter than this shows nothing but its outputs' lines
REFRESH = 0.5


def summary(totals: dict[str, dict[str, int]]) -> str:
    """Return what each output told of its progress: `pdf: 7/12 parts laid out, 112 pages`."""
    shown = []
    for output, counts in totals.items():
        done, planned, pages = counts.get("laid", 0), counts.get("planned", 0), counts.get("pages", 0)
        if planned:
            shown.append(f"{output}: {done}/{planned} parts laid out, {pages} pages")
    return "; ".join(shown)


class Display:
    """A status line on `stream` (a terminal), redrawn while outputs render; lines printed above it stay."""

    def __init__(self, stream: TextIO, channel: Channel | None) -> None:
        self.stream = stream
        self.channel = channel
        self.lock = threading.Lock()
        self.shown = False

    def clear(self) -> None:
        """Take the status line away (before another line is printed; it comes back at the next refresh)."""
        with self.lock:
            if self.shown:
                self.stream.write("\r\033[K")
                self.stream.flush()
                self.shown = False

    def draw(self, names: list[str], elapsed: float) -> None:
        """Draw the status line once."""
        told = summary(self.channel.read()) if self.channel else ""
        line = f"building {', '.join(names)}… {elapsed:.0f} s" + (f" · {told}" if told else "")
        with self.lock:
            self.stream.write(f"\r\033[K{line}")
            self.stream.flush()
            self.shown = True

    @contextmanager
    def working(self, names: list[str]) -> Iterator[None]:
        """Show the status line from SHOW_AFTER seconds on, while the block runs (a thread: start it after forks)."""
        stop = threading.Event()
        started = time.monotonic()

        def tick() -> None:
            if stop.wait(SHOW_AFTER):
                return
            while True:
                self.draw(names, time.monotonic() - started)
                if stop.wait(REFRESH):
                    return

        thread = threading.Thread(target=tick, daemon=True)
        if names:
            thread.start()
        try:
            yield
        finally:
            stop.set()
            if thread.is_alive():
                thread.join()
            self.clear()
