"""One build run from the command line: what it prints (text, JSON, GitHub annotations), progress, the exit code."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from studyguide import progress
from studyguide.author.display import Display
from studyguide.author.problems import as_github, as_json
from studyguide.build.pipeline import Outcome, Report, Request, run
from studyguide.errors import ContentError, Problem, counted, shown

EXIT_OK, EXIT_CONTENT, EXIT_RENDERER = 0, 1, 3
Style = Literal["text", "json", "github"]


@dataclass
class Shown:
    """How a build speaks: problems as text, JSON or annotations; quiet (problems only) or not."""

    style: Style = "text"
    quiet: bool = False
    problems: list[Problem] = field(default_factory=list)  # kept for JSON and annotations, printed at the end
    error: ContentError | None = None  # the last build's content error (serve shows it in the page)

    def problem(self, problem: Problem) -> None:
        """Show one problem at once as `path:line: message`, or keep it for the end."""
        if self.style == "text":
            print(problem, file=sys.stderr)
        else:
            self.problems.append(problem)

    def close(self, error: ContentError | None) -> None:
        """Print what was kept, and the count of errors that stopped the build."""
        found = sorted([*self.problems, *(error.problems if error else ())], key=lambda p: (str(p.path), p.line))
        if self.style == "text":
            for problem in error.problems if error else ():
                print(problem, file=sys.stderr)
        elif self.style == "json":
            print(as_json(found))
        elif self.style == "github" and found:
            print(as_github(found))
        self.problems, self.error = [], error
        if error is not None:
            print(f"{counted(len(error.problems), 'problem')} found; nothing was written.", file=sys.stderr)


def build(request: Request, how: Shown, done: Callable[[Outcome], None] | None = None) -> int:
    """Run one build and show what it did; return the exit code. `done` hears each output as it is written."""
    with display(how) as shown_on:
        report = Report(
            say=(lambda line: None) if how.quiet or how.style != "text" else print,
            warn=how.problem,
            working=shown_on.working if shown_on else Report().working,
            done=lambda outcome: told(outcome, how, shown_on, done),
        )
        try:
            outcomes = run(request, report)
        except ContentError as exc:
            how.close(exc)
            return EXIT_CONTENT
        except BrokenPipeError:  # our own reader went away: main_entry stops quietly
            raise
        except OSError as exc:  # the output folder cannot be written
            print(f"error: {shown(str(exc))}", file=sys.stderr)
            return EXIT_RENDERER
    how.close(None)
    if request.check:
        return EXIT_OK
    for line in report.closing if not how.quiet else ():
        print(line)
    return EXIT_RENDERER if any(o.status == "failed" for o in outcomes) else EXIT_OK


@contextlib.contextmanager
def display(how: Shown) -> Iterator[Display | None]:
    """Open the progress display on a terminal (stderr), with the channel workers tell; None elsewhere or quiet."""
    if how.quiet or not sys.stderr.isatty():
        yield None
        return
    with progress.channel() as channel:
        yield Display(sys.stderr, channel)


def told(outcome: Outcome, how: Shown, shown_on: Display | None, then: Callable[[Outcome], None] | None) -> None:
    """Print one output's line as soon as it is written: path, size, time (or why it was not written)."""
    if shown_on:
        shown_on.clear()
    if outcome.status == "failed":
        print(f"error: renderer '{outcome.name}' failed, {outcome.path} kept: {outcome.error}", file=sys.stderr)
    elif how.quiet:
        pass
    elif outcome.status == "unchanged":
        print(f"{outcome.path}  {outcome.size / 1024:.0f} KiB  unchanged", flush=True)
    else:
        print(f"{outcome.path}  {outcome.size / 1024:.0f} KiB  {outcome.seconds:.2f} s", flush=True)
    if then is not None:
        then(outcome)
