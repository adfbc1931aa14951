"""The command line: `python build.py --format all`, `--check`; main(argv) returns the exit code."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from studyguide.build.pipeline import Outcome, Report, Request, run
from studyguide.commands import Parser, UsageError, cache_command, starter_command
from studyguide.errors import ContentError, counted, shown
from studyguide.renderers import registry
from studyguide.stages import TEMPLATES, Options
from studyguide.store.cache import default_folder

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_RENDERER = 0, 1, 2, 3


def arguments() -> Parser:
    """Return the command-line parser."""
    parser = Parser(
        prog="studyguide",
        usage="studyguide [build|check|release|watch] [options]\n       studyguide new DIR [--title TITLE]\n"
        "       studyguide templates DIR\n       studyguide cache [clear]",
        description="Build the study guide in a content folder into an Anki deck, a PDF and an HTML page. "
        "Commands: build (the default), check (validate and lint, write nothing), release (update the Anki "
        "lock, then build), watch (rebuild on every change), new (start a guide), templates (copy the "
        "templates out to customise), cache (show or clear the cache). "
        "`python build.py` and `python -m studyguide` take the same options.",
        epilog="Exit codes: 0 ok, 1 content error (each problem printed as path:line: message), "
        "2 usage error, 3 a renderer failed (the others still wrote their outputs).",
    )
    formats = registry()
    names = ", ".join(f"{name} ({r.description})" for name, r in formats.items())
    parser.add_argument(
        "--format",
        default="all",
        metavar="FORMATS",
        help=f"comma-separated output formats, or 'all' ({', '.join(formats)}); known: {names}. Default: all",
    )
    parser.add_argument(
        "--content", type=Path, default=Path("content"), metavar="DIR", help="content folder (default: content)"
    )
    parser.add_argument("--out", type=Path, default=Path("dist"), metavar="DIR", help="output folder (default: dist)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="validate the content and lint it (warnings: twins, tags, core answers, characters the PDF cannot "
        "print); write nothing",
    )
    parser.add_argument(
        "--release",
        action="store_true",
        help="release: write the Anki lock (content/anki.lock.json) so every new or edited note gets the "
        "current time, then build. Commit the lock. Without it a build only reads the lock",
    )
    parser.add_argument("--paper", choices=("a4", "letter"), default="a4", help="PDF paper size (default: a4)")
    parser.add_argument(
        "--templates",
        type=Path,
        default=TEMPLATES,
        metavar="DIR",
        help="templates folder (default: the project's templates/)",
    )
    parser.add_argument("--force", action="store_true", help="rebuild every output even if its inputs are unchanged")
    parser.add_argument(
        "--watch", action="store_true", help="rebuild whenever a content or template file changes; stop with Ctrl-C"
    )
    parser.add_argument(
        "--pdf-edition",
        choices=("full", "quiz"),
        default="full",
        help="PDF edition: full (questions with answers) or quiz (room to write, answers at the end). Default: full",
    )
    return parser


def formats(spec: str) -> list[str]:
    """Turn 'all' or 'anki,pdf' into renderer names."""
    spec, known = spec.lower(), registry()
    names = list(known) if spec.strip() == "all" else [n.strip() for n in spec.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise UsageError(f"unknown format {', '.join(unknown) or repr(spec)}; choose from: all, {', '.join(known)}")
    return list(dict.fromkeys(names))


def main(argv: list[str] | None = None, clock: Callable[[], float] = time.time) -> int:
    """Run the build; return the exit code. `clock` dates a release (tests inject it)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["cache"]:
        return cache_command(argv[1:])
    if argv[:1] in (["new"], ["templates"]):
        return starter_command(argv[0], argv[1:])
    parser = arguments()
    try:
        args = parser.parse_args(command_line(argv))
        request = make_request(args, clock)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"{parser.prog}: error: {shown(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    if args.watch:
        return watch(request, args.templates)
    return build(request)


def make_request(args: argparse.Namespace, clock: Callable[[], float]) -> Request:
    """Turn the parsed options into a build request; raise UsageError for a command line that cannot work."""
    names = formats(args.format)
    if args.check and args.release:
        raise UsageError("--check writes nothing; it cannot be combined with --release")
    content, out, cache = args.content.resolve(), args.out.resolve(), default_folder().resolve()
    if not content.is_dir():
        raise UsageError(f"--content {args.content}: no such folder")
    if not args.check:
        check_output_folder(args.out, out, content)
    if cache.is_relative_to(content):
        raise UsageError("the cache folder (STUDYGUIDE_CACHE) must not be inside the content folder")
    options = Options(paper=args.paper, edition=args.pdf_edition, templates=args.templates)
    return Request(
        content=args.content,
        out=args.out,
        formats=tuple(names),
        options=options,
        cache=default_folder(),
        check=args.check,
        release_at=int(clock()) if args.release else None,
        force=args.force,
    )


def check_output_folder(given: Path, out: Path, content: Path) -> None:
    """Raise UsageError unless the output folder is, or can be made, a writable folder outside the content."""
    if out.is_relative_to(content):
        raise UsageError("the output folder must not be inside the content folder")
    existing = next(p for p in (out, *out.parents) if p.exists())
    if not existing.is_dir():
        raise UsageError(f"--out {given}: {'not a folder' if existing == out else f'{existing} is a file'}")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"--out {given}: {'not writable' if existing == out else f'cannot be created in {existing}'}")


def build(request: Request) -> int:
    """Run one build and print what it did; return the exit code."""
    report = Report(say=print, warn=lambda problem: print(problem, file=sys.stderr), working=ticker, done=show)
    try:
        outcomes = run(request, report)
    except ContentError as exc:
        problems(exc)
        return EXIT_CONTENT
    except BrokenPipeError:  # our own reader went away: main_entry stops quietly
        raise
    except OSError as exc:  # the output folder cannot be written
        print(f"error: {shown(str(exc))}", file=sys.stderr)
        return EXIT_RENDERER
    if request.check:
        return EXIT_OK
    for line in report.closing:
        print(line)
    return EXIT_RENDERER if any(o.status == "failed" for o in outcomes) else EXIT_OK


def show(outcome: Outcome) -> None:
    """Print one output's line as soon as it is written: path, size, time (or why it was not written)."""
    if outcome.status == "failed":
        print(f"error: renderer '{outcome.name}' failed, {outcome.path} kept: {outcome.error}", file=sys.stderr)
    elif outcome.status == "unchanged":
        print(f"{outcome.path}  {outcome.size / 1024:.0f} KiB  unchanged", flush=True)
    else:
        print(f"{outcome.path}  {outcome.size / 1024:.0f} KiB  {outcome.seconds:.2f} s", flush=True)


def snapshot(folders: list[Path]) -> dict[Path, tuple[int, int]]:
    """Return the modification time and size of every file below the folders."""
    return {
        path: (stat.st_mtime_ns, stat.st_size)
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file() and (stat := path.stat())
    }


def watch(request: Request, templates: Path, interval: float = 0.3) -> int:
    """Rebuild on every change of content or templates; report errors and keep watching until Ctrl-C."""
    seen: dict[Path, tuple[int, int]] | None = None
    stop = threading.Event()

    def interrupted(signum: int, frame: object) -> None:
        # Python drops a KeyboardInterrupt raised while a __del__ or a callback runs; the flag stays.
        stop.set()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        while not stop.is_set():
            current = snapshot([request.content, templates])
            if current != seen:
                seen = current
                print(f"[{time.strftime('%H:%M:%S')}] building", flush=True)
                build(request)
                print(f"[{time.strftime('%H:%M:%S')}] watching {request.content} and {templates}", flush=True)
            stop.wait(interval)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, previous)
    return EXIT_OK


def problems(error: ContentError) -> None:
    """Print every content problem as path:line: message."""
    for problem in error.problems:
        print(problem, file=sys.stderr)
    print(f"{counted(len(error.problems), 'problem')} found; nothing was written.", file=sys.stderr)


@contextmanager
def ticker(names: list[str]) -> Iterator[None]:
    """Show the elapsed time on a terminal while outputs render."""
    stop = threading.Event()

    def tick() -> None:
        started = time.monotonic()
        while not stop.wait(1.0):
            elapsed = time.monotonic() - started
            print(f"\r\033[Kbuilding {', '.join(names)}… {elapsed:.0f} s", end="", file=sys.stderr, flush=True)

    thread = threading.Thread(target=tick, daemon=True)
    if sys.stderr.isatty() and names:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        if thread.is_alive():
            thread.join()
            print("\r\033[K", end="", file=sys.stderr, flush=True)


# `studyguide COMMAND [options]`: each command is a shorthand for build.py's options.
COMMANDS = {"build": [], "check": ["--check"], "release": ["--release"], "watch": ["--watch"]}


def command_line(argv: list[str]) -> list[str]:
    """Turn `studyguide COMMAND [options]` into build.py's options (no command: `build`); refuse unknown commands."""
    if argv and argv[0] in COMMANDS:
        return [*COMMANDS[argv[0]], *argv[1:]]
    if argv and not argv[0].startswith("-"):
        raise UsageError(f"unknown command '{argv[0]}' (commands: {', '.join(COMMANDS)}, new, templates, cache)")
    return argv


def main_entry() -> None:
    """Entry point of the `studyguide` command, `python -m studyguide` and build.py."""
    # A one-shot build allocates a model of many small objects without cycles (214,000 nodes at
    # 4,200 questions); the collector's youngest generation, collected every 700 allocations,
    # scanned them again and again. Measured with benchmarks/run.py's synthetic guide, a deck build
    # of 4,200 questions from a warm cache: 1.65 s with the default threshold, 1.19 s with this one
    # (1.24 s with the collector off). Cycles are still collected, only less often.
    gc.set_threshold(100_000, 50, 50)
    try:
        code = main(sys.argv[1:])
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (`studyguide build | head -1`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's own recipe: no flush error at exit
        code = 128 + signal.SIGPIPE  # every file written so far is whole; the next build writes the rest
    sys.exit(code)
