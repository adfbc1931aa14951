"""The one error type for bad content: a list of `path:line: message` problems."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

# An error stops the build (nothing is written); a warning is shown and the build goes on.
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One problem in the content, at a file and line (0: the whole file)."""

    path: Path
    line: int
    message: str
    severity: Severity = "error"
    code: str = ""  # the kind of problem, short and stable, for machines; '': named by the message (author/problems.py)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return shown(f"{where}: {'warning: ' if self.severity == 'warning' else ''}{self.message}")


def counted(number: int, noun: str, plural: str = "") -> str:
    """Return a count with its noun, singular for one, as the command line's English messages write it."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def shown(text: str) -> str:
    """Return text safe for a terminal: control characters (ESC, CR...) and undecodable bytes of file names escaped."""
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape", "backslashreplace").decode("ascii")
        for ch in text
    )


class ContentError(Exception):
    """Bad content: carries every problem found, so authors see them all at once."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (str(p.path), p.line, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[ContentError], tuple[list[Problem]]]:
        """Pickle with the problems, so the error crosses from a worker process intact."""
        return (ContentError, (self.problems,))
