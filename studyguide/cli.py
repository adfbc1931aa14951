"""The command line: `python build.py --format all`, `--check`; main(argv) returns the exit code."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .errors import ContentError
from .output import write_atomic
from .parser import load_guide
from .renderers import RENDERERS, Options

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_RENDERER = 0, 1, 2, 3
ALL = ("anki", "pdf", "html")


class UsageError(Exception):
    """A wrong command line."""


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so main() returns every exit code."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def arguments() -> Parser:
    """Return the command-line parser."""
    parser = Parser(
        prog="build.py",
        description="Build the study guide in content/ into an Anki deck, a PDF and an HTML page.",
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
    parser.add_argument("--content", type=Path, default=Path("content"), metavar="DIR", help="content folder (default: content)")
    parser.add_argument("--out", type=Path, default=Path("dist"), metavar="DIR", help="output folder (default: dist)")
    parser.add_argument("--check", action="store_true", help="validate the content only; write nothing")
    parser.add_argument("--paper", choices=("a4", "letter"), default="a4", help="PDF paper size (default: a4)")
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


def main(argv: list[str] | None = None) -> int:
    """Run the build; return the exit code."""
    parser = arguments()
    try:
        args = parser.parse_args(argv)
        names = formats(args.format)
        if not args.check and args.out.resolve().is_relative_to(args.content.resolve()):
            raise UsageError("the output folder must not be inside the content folder")
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"build.py: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        guide = load_guide(args.content)
    except ContentError as exc:
        report(exc)
        return EXIT_CONTENT
    if args.check:
        print(f"ok: {len(guide.questions)} questions in {len(guide.sections)} sections")
        return EXIT_OK
    return build(guide, names, args.out, Options(paper=args.paper, edition=args.pdf_edition))


def build(guide, names: list[str], out: Path, options: Options) -> int:  # type: ignore[no-untyped-def]
    """Render every format in memory, then write the ones that succeeded."""
    results: dict[str, tuple[bytes, float]] = {}
    problems: list[ContentError] = []
    failed: list[str] = []
    for name in names:
        started = time.perf_counter()
        try:
            results[name] = (RENDERERS[name].render(guide, options), time.perf_counter() - started)
        except ContentError as exc:
            problems.append(exc)
        except Exception as exc:  # a renderer's own failure: name it and keep the others going
            failed.append(name)
            print(f"error: renderer '{name}' failed: {type(exc).__name__}: {exc}", file=sys.stderr)
    if problems:
        report(ContentError([p for exc in problems for p in exc.problems]))
        return EXIT_CONTENT
    for name, (data, seconds) in results.items():
        path = out / RENDERERS[name].filename(guide, options)
        write_atomic(path, data)
        print(f"{path}  {len(data) / 1024:.0f} KiB  {seconds:.2f} s")
    return EXIT_RENDERER if failed else EXIT_OK


def report(error: ContentError) -> None:
    """Print every content problem as path:line: message."""
    for problem in error.problems:
        print(problem, file=sys.stderr)
    print(f"{len(error.problems)} problem(s) found; nothing was written.", file=sys.stderr)


def main_entry() -> None:
    """Console-script entry point."""
    sys.exit(main(sys.argv[1:]))
