"""Finding the guide from any folder inside it, as git finds `.git`: the nearest guide.toml or content/guide.toml."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from studyguide.parse.reading import META_FILE


class NotFound(Exception):
    """No guide in the folder or any folder above it."""


@dataclass(frozen=True)
class Found:
    """A content folder and the output folder beside it, as paths relative to where the command runs."""

    content: Path
    out: Path


def find_content(start: Path) -> Path | None:
    """Return the nearest content folder at or above `start`: one holding guide.toml, or a content/ that does."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / META_FILE).is_file():
            return folder
        if (folder / "content" / META_FILE).is_file():
            return folder / "content"
    return None


def locate(start: Path) -> Found:
    """Return the guide around `start` and its `dist/` beside the content folder; raise NotFound naming the search.

    A `content/` folder without its guide.toml is still taken (its build says what is missing).
    """
    found = find_content(start)
    if found is None and (start / "content").is_dir():
        found = (start / "content").resolve()
    if found is None:
        raise NotFound(
            f"no guide found: looked for {META_FILE} and content/{META_FILE} in {start.resolve()} and every folder "
            "above it; give --content DIR, or start one with `studyguide new DIR`"
        )
    return Found(relative(found, start), relative(found.parent / "dist", start))


def relative(path: Path, start: Path) -> Path:
    """Return `path` relative to `start` (so messages name files as the author sees them), else absolute."""
    try:
        return Path(os.path.relpath(path, start.resolve()))
    except ValueError:  # another drive (Windows)
        return path
