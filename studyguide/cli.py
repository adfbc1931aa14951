"""The command line: `python build.py --format all`, `--check`; main(argv) returns the exit code."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from .builder import Outcome, build, fingerprints, unchanged
from .errors import ContentError
from .lint import lint
from .mathsvg import MathCache, cache_folder
from .parser import load_guide
from .renderers import RENDERERS, Options, anki
from .renderers.base import TEMPLATES
from .rich import prepare

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_RENDERER = 0, 1, 2, 3
ALL = ("anki", "pdf", "html")


class UsageError(Exception):
    """A wrong command line."""


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so main() returns every exit code."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def arguments() -> Parser:
    """Return the command-line parser."""
    parser = Parser(
        prog="build.py",
        description="Build the study guide in content/ into an Anki deck, a PDF and an HTML page. "
        "The same options work as `studyguide [build|check|release|watch] [options]` "
        "and `python -m studyguide ...`.",
        epilog="Exit codes: 0 ok, 1 content error (each problem printed as path:line: message), "
        "2 usage error, 3 a renderer failed (the others still wrote their outputs).",
    )
    names = ", ".join(f"{name} ({r.description})" for name, r in RENDERERS.items())
    parser.add_argument(
        "--format",
        default="all",
        metavar="FORMATS",
        help=f"comma-separated output formats, or 'all' ({', '.join(ALL)}); known: {names}. Default: all",
    )
    parser.add_argument(
        "--content", type=Path, default=Path("content"), metavar="DIR", help="content folder (default: content)"
    )
    parser.add_argument("--out", type=Path, default=Path("dist"), metavar="DIR", help="output folder (default: dist)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="validate the content and lint it (warnings: twins, tags, core answers); write nothing",
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
    names = list(ALL) if spec.strip() == "all" else [n.strip() for n in spec.split(",") if n.strip()]
    unknown = [n for n in names if n not in RENDERERS]
    if unknown or not names:
        raise UsageError(f"unknown format {', '.join(unknown) or repr(spec)}; choose from: all, {', '.join(RENDERERS)}")
    return list(dict.fromkeys(names))


def main(argv: list[str] | None = None, clock: Callable[[], float] = time.time) -> int:
    """Run the build; return the exit code. `clock` dates a release (tests inject it)."""
    parser = arguments()
    try:
        args = parser.parse_args(argv)
        names = formats(args.format)
        if args.check and args.release:
            raise UsageError("--check writes nothing; it cannot be combined with --release")
        if not args.check and args.out.resolve().is_relative_to(args.content.resolve()):
            raise UsageError("the output folder must not be inside the content folder")
        if cache_folder().resolve().is_relative_to(args.content.resolve()):
            raise UsageError("the cache folder (STUDYGUIDE_CACHE) must not be inside the content folder")
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"build.py: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.watch:
        return watch(args, names, clock)
    return run(args, names, clock)


def run(args: argparse.Namespace, names: list[str], clock: Callable[[], float] = time.time) -> int:
    """Validate, then check, release or build once; return the exit code."""
    cache = MathCache(cache_folder())
    options = Options(paper=args.paper, edition=args.pdf_edition, templates=args.templates, math_cache=cache)
    inputs = None
    if not (args.check or args.release):
        try:
            inputs = fingerprints(args.content, names, options)
        except OSError:  # an unreadable file: the parser reports it
            inputs = None
    if inputs is not None and not args.force:
        current = unchanged(inputs, names, args.out)
        if current is not None:  # every output was built from exactly these inputs: nothing to parse or render
            show(current)
            return EXIT_OK
    try:
        guide = load_guide(args.content, cache_folder())
        if args.check:
            prepare(guide, cache)
            warnings = lint(guide)
            for warning in warnings:
                print(warning, file=sys.stderr)
            print(f"ok: {len(guide.questions)} questions in {len(guide.sections)} sections, {len(warnings)} warning(s)")
            return EXIT_OK
        if args.release:
            print(f"released {anki.lock_path(guide)}: {anki.release(guide, options, int(clock())).summary()}")
        elif "anki" in names:
            print(f"anki, since the last release: {anki.changes_since_release(guide, options).summary()}")
        outcomes = build(guide, names, args.out, options, force=args.force, inputs=inputs)
    except ContentError as exc:
        report(exc)
        return EXIT_CONTENT
    show(outcomes)
    if cache.hits or cache.renders:
        print(cache.summary())
    return EXIT_RENDERER if any(o.status == "failed" for o in outcomes) else EXIT_OK


def show(outcomes: list[Outcome]) -> None:
    """Print one summary line per output: path, size, time (or why it was not written)."""
    for outcome in outcomes:
        if outcome.status == "failed":
            print(f"error: renderer '{outcome.name}' failed, {outcome.path} kept: {outcome.error}", file=sys.stderr)
        elif outcome.status == "unchanged":
            print(f"{outcome.path}  {outcome.size / 1024:.0f} KiB  unchanged")
        else:
            print(f"{outcome.path}  {outcome.size / 1024:.0f} KiB  {outcome.seconds:.2f} s")


def snapshot(folders: list[Path]) -> dict[Path, tuple[int, int]]:
    """Return the modification time and size of every file below the folders."""
    return {
        path: (stat.st_mtime_ns, stat.st_size)
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file() and (stat := path.stat())
    }


def watch(args: argparse.Namespace, names: list[str], clock: Callable[[], float], interval: float = 0.3) -> int:
    """Rebuild on every change of content or templates; report errors and keep watching."""
    seen: dict[Path, tuple[int, int]] | None = None
    try:
        while True:
            current = snapshot([args.content, args.templates])
            if current != seen:
                seen = current
                print(f"[{time.strftime('%H:%M:%S')}] building", flush=True)
                run(args, names, clock)
                print(f"[{time.strftime('%H:%M:%S')}] watching {args.content} and {args.templates}", flush=True)
            time.sleep(interval)
    except KeyboardInterrupt:
        return EXIT_OK


def report(error: ContentError) -> None:
    """Print every content problem as path:line: message."""
    for problem in error.problems:
        print(problem, file=sys.stderr)
    print(f"{len(error.problems)} problem(s) found; nothing was written.", file=sys.stderr)


# `studyguide COMMAND [options]`: each command is a shorthand for build.py's options.
COMMANDS = {"build": [], "check": ["--check"], "release": ["--release"], "watch": ["--watch"]}


def command_line(argv: list[str]) -> list[str]:
    """Turn `studyguide COMMAND [options]` into build.py's options (no command: `build`)."""
    if argv and argv[0] in COMMANDS:
        return [*COMMANDS[argv[0]], *argv[1:]]
    return argv


def main_entry() -> None:
    """Entry point of the `studyguide` command and of `python -m studyguide`."""
    sys.exit(main(command_line(sys.argv[1:])))
