"""The commands beside building: `studyguide new`, `studyguide templates`, `studyguide cache`."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import NoReturn

from studyguide.errors import counted, shown
from studyguide.starter import StarterError, checked_language, copy_templates, new_guide

EXIT_OK, EXIT_USAGE = 0, 2


class UsageError(Exception):
    """A wrong command line."""


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so every command returns its exit code."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def starter_command(command: str, argv: list[str]) -> int:
    """`studyguide new DIR [--title T] [--language TAG]` and `studyguide templates DIR`."""
    parser = Parser(prog=f"studyguide {command}")
    parser.add_argument("folder", type=Path, help="an empty (or new) folder")
    if command == "new":
        parser.add_argument("--title", default="My Study Guide", help="the guide's title (its id derives from it)")
        parser.add_argument(
            "--language", default="en", metavar="TAG", help="the guide's language, a BCP 47 tag (default: en)"
        )
    try:
        args = parser.parse_args(argv)
        if command == "new":
            warning = checked_language(args.language)
            written = new_guide(args.folder, args.title, dt.date.today(), args.language)
            if warning:
                print(f"{parser.prog}: warning: {shown(warning)}", file=sys.stderr)
            names = ", ".join(str(p.relative_to(args.folder)) for p in written)
            print(f"new guide in {shown(str(args.folder))}: {shown(names)}")
            print(f"next: cd {shown(str(args.folder))} && studyguide serve")
        else:
            copy_templates(args.folder)
            print(f"templates copied to {args.folder}; build with --templates {args.folder}")
    except (UsageError, StarterError) as exc:
        print(f"{parser.prog}: error: {shown(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def cache_command(argv: list[str]) -> int:
    """`studyguide cache [clear]`: show the cache folder and what it holds, or empty it."""
    if argv not in ([], ["clear"]):
        print("usage: studyguide cache [clear]", file=sys.stderr)
        return EXIT_USAGE
    from studyguide.store.cache import Cache, default_folder

    folder = default_folder()
    if folder.exists() and not folder.is_dir() or folder.is_symlink() and not folder.exists():
        print(f"studyguide cache: error: the cache folder {shown(str(folder))} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    cache = Cache(folder)
    try:
        if argv == ["clear"]:
            cache.clear()
            print(f"cleared {shown(str(cache.folder))}")
            return EXIT_OK
        usage = cache.usage()
    except OSError as exc:
        print(f"studyguide cache: error: {shown(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    print(f"cache: {shown(str(cache.folder))}")
    for namespace, (count, size) in usage.items():
        print(f"  {namespace}: {counted(count, 'entry', 'entries')}, {size / 1024:.0f} KiB")
    return EXIT_OK
