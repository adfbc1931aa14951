"""The command line: `studyguide [build|check|release|watch|serve] [options]`; main(argv) returns the exit code."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from studyguide import __version__
from studyguide.commands import Parser, UsageError, cache_command, starter_command
from studyguide.errors import shown
from studyguide.stages import TEMPLATES, Options

if TYPE_CHECKING:  # the build's modules load only for a build: `new`, `templates` and `cache` never need them
    from studyguide.build.pipeline import Request

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_RENDERER = 0, 1, 2, 3
EXIT_INTERRUPTED = 128 + signal.SIGINT  # 130, as a shell reports a command Ctrl-C ended


def arguments() -> Parser:
    """Return the command-line parser."""
    parser = Parser(
        prog="studyguide",
        usage="studyguide [build|check|release|watch|serve] [options]\n"
        "       studyguide new DIR [--title TITLE] [--language TAG]\n       studyguide templates DIR\n"
        "       studyguide cache [clear]\n       studyguide --version",
        description="Build the study guide in a content folder into an Anki deck, a PDF and an HTML page. "
        "Commands: build (the default), check (validate and lint, write nothing), release (update the Anki "
        "lock, then build), watch (rebuild on every change), serve (build, show the page on 127.0.0.1 and "
        "reload it on every save), new (start a guide), templates (copy the templates out to customise), "
        "cache (show or clear the cache). Without --content, the guide is found from the current folder "
        "upward (a folder holding guide.toml, or content/guide.toml). "
        "`python build.py` and `python -m studyguide` take the same options.",
        epilog="Exit codes: 0 ok, 1 content error (each problem printed as path:line: message), "
        "2 usage error, 3 a renderer failed (the others still wrote their outputs), 130 interrupted (Ctrl-C).",
    )
    parser.add_argument("-V", "--version", action="store_true", help="print the version and stop")
    from studyguide.renderers import registry

    formats = registry()
    names = ", ".join(f"{name} ({r.description})" for name, r in formats.items())
    parser.add_argument(
        "--format",
        default="all",
        metavar="FORMATS",
        help=f"comma-separated output formats, or 'all' ({', '.join(formats)}); known: {names}. Default: all",
    )
    parser.add_argument("--content", type=Path, metavar="DIR", help="content folder (default: found from here upward)")
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="output folder (default: dist beside the content folder found)"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="validate the content and lint it (warnings: twins, tags, core answers, characters the PDF cannot "
        "print); write nothing",
    )
    problems = parser.add_mutually_exclusive_group()
    problems.add_argument("--json", action="store_true", help="with check: the problems as one JSON array on stdout")
    problems.add_argument("--github", action="store_true", help="with check: GitHub Actions annotations on stdout")
    parser.add_argument(
        "--release",
        action="store_true",
        help="release: write the Anki lock (content/anki.lock.json) so every new or edited note gets the "
        "current time, then build. Commit the lock. Without it a build only reads the lock",
    )
    parser.add_argument("--paper", choices=("a4", "letter"), default="a4", help="PDF paper size (default: a4)")
    parser.add_argument(
        "--templates", type=Path, default=TEMPLATES, metavar="DIR", help="templates folder (default: the package's)"
    )
    parser.add_argument(
        "--pdf-edition",
        choices=("full", "quiz"),
        default="full",
        help="PDF edition: full (questions with answers) or quiz (room to write, answers at the end). Default: full",
    )
    return loop_options(parser)


def loop_options(parser: Parser) -> Parser:
    """Add the options of an author's loop: --force, --watch, --serve, --port, --quiet."""
    parser.add_argument("--force", action="store_true", help="rebuild every output even if its inputs are unchanged")
    parser.add_argument("--watch", action="store_true", help="rebuild whenever a content or template file is saved")
    parser.add_argument("--serve", action="store_true", help="build, serve the page on 127.0.0.1, reload on save")
    parser.add_argument("--port", type=int, default=8000, metavar="N", help="with serve: the port (default: 8000)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems and errors")
    return parser


def formats(spec: str) -> list[str]:
    """Turn 'all' or 'anki,pdf' into renderer names."""
    from studyguide.renderers import registry

    spec, known = spec.lower(), registry()
    names = list(known) if spec.strip() == "all" else [n.strip() for n in spec.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise UsageError(f"unknown format {', '.join(unknown) or repr(spec)}; choose from: all, {', '.join(known)}")
    return list(dict.fromkeys(names))


def main(argv: list[str] | None = None, clock: Callable[[], float] = time.time) -> int:
    """Run the build; return the exit code. `clock` dates a release (tests inject it)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] in (["--version"], ["-V"]):
        print(f"studyguide {__version__}")
        return EXIT_OK
    if argv[:1] == ["cache"]:
        return cache_command(argv[1:])
    if argv[:1] in (["new"], ["templates"]):
        return starter_command(argv[0], argv[1:])
    parser = arguments()
    try:
        args = parser.parse_args(command_line(argv))
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"{parser.prog}: error: {shown(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    if args.version:
        print(f"studyguide {__version__}")
        return EXIT_OK
    try:
        request = make_request(args, clock)
    except UsageError as exc:  # a path or a combination that cannot work: one line naming it
        print(f"{parser.prog}: error: {shown(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    from studyguide.author.output import Shown, build

    how = Shown(style="json" if args.json else "github" if args.github else "text", quiet=args.quiet)
    if args.watch or args.serve:
        from studyguide.author import watching

        if args.serve:
            return watching.serve(request, args.port, how)
        return watching.watch(request, how)
    return build(request, how)


def make_request(args: argparse.Namespace, clock: Callable[[], float]) -> Request:
    """Turn the parsed options into a build request; raise UsageError for a command line that cannot work."""
    from studyguide.author.locate import NotFound, locate
    from studyguide.build.pipeline import Request
    from studyguide.store.cache import default_folder

    names = formats(args.format)
    if args.check and args.release:
        raise UsageError("--check writes nothing; it cannot be combined with --release")
    if (args.json or args.github) and not args.check:
        raise UsageError(f"--{'json' if args.json else 'github'} goes with check: `studyguide check --json`")
    if args.serve and not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: a port is a number from 0 to 65535")
    given, out_given = args.content, args.out
    if given is None:
        try:
            found = locate(Path.cwd())
        except NotFound as exc:
            raise UsageError(str(exc)) from None
        given, out_given = found.content, out_given or found.out
    out_given = out_given or Path("dist")
    content, out = resolved("--content", given), resolved("--out", out_given)
    cache = resolved("STUDYGUIDE_CACHE", default_folder())
    if not content.is_dir():
        raise UsageError(f"--content {given}: no such folder")
    if not resolved("--templates", args.templates).is_dir():
        raise UsageError(f"--templates {args.templates}: no such folder")
    if not args.check:
        check_output_folder(out_given, out, content)
    if cache.is_relative_to(content):
        raise UsageError("the cache folder (STUDYGUIDE_CACHE) must not be inside the content folder")
    return Request(
        content=given,
        out=out_given,
        formats=tuple(names),
        options=Options(paper=args.paper, edition=args.pdf_edition, templates=args.templates),
        cache=default_folder(),
        check=args.check,
        release_at=int(clock()) if args.release else None,
        force=args.force,
    )


def resolved(name: str, path: Path) -> Path:
    """Return a path made absolute with its links followed; a loop of links is a usage error naming it."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # pathlib raises RuntimeError for a loop (Python 3.11), OSError later
        raise UsageError(f"{name} {path}: a loop of symbolic links") from None


def check_output_folder(given: Path, out: Path, content: Path) -> None:
    """Raise UsageError unless the output folder is, or can be made, a writable folder outside the content.

    Whether a folder can be written is tried, not guessed from its mode bits: a folder under /proc or
    on a read-only file system says it may be written to and is not. The trial leaves nothing behind.
    """
    if out.is_relative_to(content):
        raise UsageError("the output folder must not be inside the content folder")
    existing = next(p for p in (out, *out.parents) if p.exists() or p.is_symlink())
    if not existing.is_dir():
        raise UsageError(f"--out {given}: {'not a folder' if existing == out else f'{existing} is a file'}")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".studyguide-", dir=existing))
    except OSError:
        raise UsageError(
            f"--out {given}: {'not writable' if existing == out else f'cannot be created in {existing}'}"
        ) from None


# `studyguide COMMAND [options]`: each command is a shorthand for build.py's options.
COMMANDS = {"build": [], "check": ["--check"], "release": ["--release"], "watch": ["--watch"], "serve": ["--serve"]}


def command_line(argv: list[str]) -> list[str]:
    """Turn `studyguide COMMAND [options]` into build.py's options (no command: `build`); refuse unknown commands."""
    if argv and argv[0] in COMMANDS:
        return [*COMMANDS[argv[0]], *argv[1:]]
    if argv and not argv[0].startswith("-"):
        raise UsageError(f"unknown command '{argv[0]}' (commands: {', '.join(COMMANDS)}, new, templates, cache)")
    return argv


def interruptible() -> None:
    """Make Ctrl-C end a build with one line: the main process stops; its workers leave at once, saying nothing.

    A terminal sends SIGINT to every process of the build. A worker (the PDF's layout processes)
    would print a traceback of its own; it exits instead, and the main process, whose outputs
    are written atomically, reports the interruption once.
    """
    parent = os.getpid()

    def interrupted(signum: int, frame: object) -> None:
        if os.getpid() != parent:
            os._exit(EXIT_INTERRUPTED)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupted)


def main_entry() -> None:
    """Entry point of the `studyguide` command, `python -m studyguide` and build.py."""
    # A one-shot build allocates a model of many small objects without cycles (214,000 nodes at
    # 4,200 questions); the collector's youngest generation, collected every 700 allocations,
    # scanned them again and again. Measured with benchmarks/run.py's synthetic guide, a deck build
    # of 4,200 questions from a warm cache: 1.65 s with the default threshold, 1.19 s with this one
    # (1.24 s with the collector off). Cycles are still collected, only less often.
    gc.set_threshold(100_000, 50, 50)
    # Libraries log through the root logger, and ziafont's first logging.debug() (a formula drawn) gave it
    # a stderr handler (logging.basicConfig): WeasyPrint's notes on mermaid's SVG styles ('Ignored
    # `fill: none`') then reached the author, dozens a build. The build says what matters as problems;
    # a root handler that writes nothing keeps basicConfig from adding one (the PDF's forked workers too).
    logging.getLogger().addHandler(logging.NullHandler())
    interruptible()
    try:
        code = main(sys.argv[1:])
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (`studyguide build | head -1`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's own recipe: no flush error at exit
        code = 128 + signal.SIGPIPE  # every file written so far is whole; the next build writes the rest
    except KeyboardInterrupt:
        print("interrupted: every output file is whole (written in full, or left as it was)", file=sys.stderr)
        code = EXIT_INTERRUPTED
    sys.exit(code)
