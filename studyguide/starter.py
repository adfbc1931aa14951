"""`studyguide new DIR`: a guide that builds at once; `studyguide templates DIR`: the templates to customise."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import unicodedata
from pathlib import Path

import tomli_w

from studyguide import __version__, i18n
from studyguide.parse.reading import MAX_GUIDE_ID, MAX_META_CHARS, control_character
from studyguide.stages import TEMPLATES
from studyguide.starter_files import SECTION, WORKFLOW, readme


class StarterError(Exception):
    """A folder that cannot be made into a guide or hold the templates, or a title or language it cannot take."""


def slug(text: str) -> str:
    """Return a guide id from text: its Latin letters and digits, lowercase ASCII, joined by hyphens ('' if none)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))[:MAX_GUIDE_ID].strip("-")


def guide_id(title: str, folder: Path) -> str:
    """Return the guide's id: from the title when it has Latin letters or digits, else from the folder's name.

    A title and a folder name without either (both in another script) give `guide-` and a hash of the
    title: still the guide's own, never a placeholder every such guide would share.
    """
    found = slug(title) or slug(folder.resolve().name)
    return found or f"guide-{hashlib.sha256(title.encode('utf-8')).hexdigest()[:12]}"


def checked_title(title: str) -> str:
    """Return the title, or raise StarterError for one guide.toml would refuse (blank, too long, control characters)."""
    if not title.strip():
        raise StarterError("--title is blank: give the guide a title")
    if len(title) > MAX_META_CHARS:
        raise StarterError(f"--title of {len(title)} characters: more than the limit of {MAX_META_CHARS}")
    bad = control_character(title)
    if bad is not None:
        raise StarterError(f"--title holds the control character U+{ord(bad):04X}: a title is one line of text")
    return title


def checked_language(language: str) -> str | None:
    """Return a warning for a language without a catalogue, or raise StarterError for one that is no language tag."""
    error, warning = i18n.problems(language)
    if error:
        raise StarterError(f"--language: {error}")
    return warning


def _empty_folder(folder: Path) -> None:
    """Make the folder, or refuse, in one line naming it, one that exists and is not empty or cannot be made."""
    if folder.is_symlink() and not folder.exists():
        raise StarterError(f"{folder}: a symbolic link to {os.readlink(folder)}, which does not exist")
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is not None and existing != folder and not existing.is_dir():
        raise StarterError(f"{folder}: cannot be made, {existing} is a file")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise StarterError(f"{folder}: exists and is not an empty folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StarterError(f"{folder}: cannot be made: {exc.strerror or exc}") from None


def guide_toml(values: dict[str, str]) -> str:
    """Return guide.toml: a comment, then each value written by a TOML writer (any text is read back exactly)."""
    return GUIDE_COMMENT + "".join(tomli_w.dumps({key: value}) for key, value in values.items())


def new_guide(folder: Path, title: str, today: dt.date, language: str = "en") -> list[Path]:
    """Write a small guide that builds at once into an empty folder; return the files written.

    The folder is laid out as this project is: the guide in `content/`, the outputs in `dist/`
    (ignored by git), so `studyguide build` inside it needs no options; a GitHub Actions
    workflow checks and builds it on every push.
    """
    checked_title(title)
    checked_language(language)
    _empty_folder(folder)
    meta = {
        "id": guide_id(title, folder),
        "title": title,
        "description": "What this guide helps a learner study.",
        "author": "Your name",
        "source": "Where the material comes from.",
        "language": language,
        "version": "0.1.0",
        "date": today.isoformat(),
    }
    files = {
        "content/guide.toml": guide_toml(meta),
        "content/tags.txt": "example\nformulas\ncode\n",
        "content/01-first-steps.md": SECTION,
        ".gitignore": "dist/\n",
        ".github/workflows/studyguide.yml": WORKFLOW.replace("{version}", __version__),
        "README.md": readme(title, meta["id"]),
    }
    written = []
    try:
        for name, text in files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    except OSError as exc:
        raise StarterError(f"{exc.filename or folder}: cannot be written: {exc.strerror or exc}") from None
    return written


def copy_templates(folder: Path) -> Path:
    """Copy the default templates into an empty folder, to customise and pass as `--templates`."""
    _empty_folder(folder)
    shutil.copytree(TEMPLATES, folder, dirs_exist_ok=True)
    return folder


GUIDE_COMMENT = """\
# The guide's metadata. The id is permanent: Anki's note and deck identities derive from it.
"""
