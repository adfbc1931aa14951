"""Progress of long work, told from any process of a build (the PDF's layout workers too) to the one display.

The display (the command line, on a terminal) opens a `channel` before the build forks; every
process forked inside it inherits the pipe's writing end and `tell`s it short JSON lines. A
write of less than PIPE_BUF bytes to a pipe is atomic, so workers need no lock they could die
holding (a lock shared with processes that Ctrl-C or a crash ends can stay taken), and the
pipe is non-blocking: when it is full an event is dropped, never waited for. Without a channel
(not a terminal, `--quiet`, a library caller) `tell` does nothing. Written here rather than
with multiprocessing's queues for those two reasons.
"""

from __future__ import annotations

import json
import os
import select
from collections.abc import Iterator
from contextlib import contextmanager

_writer: int | None = None  # the pipe's writing end while a channel is open (inherited by forked workers)


def tell(output: str, **counts: int) -> None:
    """Tell the display that work on `output` advanced: counts to add (laid=1, pages=16) or plan (planned=12)."""
    if _writer is None:
        return
    line = (json.dumps([output, counts], separators=(",", ":")) + "\n").encode()
    if len(line) > select.PIPE_BUF:  # only an atomic write keeps lines whole (the outputs' names are short)
        return
    try:
        os.write(_writer, line)
    except OSError:  # full (BlockingIOError) or closed: progress is shown at best, never waited for
        pass


class Channel:
    """The display's end of the pipe: the events told so far, added up per output."""

    def __init__(self, reader: int) -> None:
        self.reader = reader
        self.pending = b""
        self.totals: dict[str, dict[str, int]] = {}

    def read(self) -> dict[str, dict[str, int]]:
        """Take every event waiting in the pipe; return the totals per output."""
        while True:
            try:
                chunk = os.read(self.reader, 65536)
            except BlockingIOError:
                break
            if not chunk:
                break
            self.pending += chunk
        *lines, self.pending = self.pending.split(b"\n")
        for line in lines:
            try:
                output, counts = json.loads(line)
                totals = self.totals.setdefault(str(output), {})
                for key, value in counts.items():
                    totals[str(key)] = totals.get(str(key), 0) + int(value)
            except (ValueError, TypeError, AttributeError):  # a line cut short: drop it
                continue
        return self.totals


@contextmanager
def channel() -> Iterator[Channel]:
    """Open the channel for the build inside the block (before it forks); close it after."""
    global _writer
    reader, writer = os.pipe()
    os.set_blocking(reader, False)
    os.set_blocking(writer, False)
    _writer = writer
    try:
        yield Channel(reader)
    finally:
        _writer = None
        os.close(writer)
        os.close(reader)
