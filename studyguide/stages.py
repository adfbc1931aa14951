"""The types that pass between the build's stages: options, images, the Anki lock's data, resources, the job.

Only the model is imported here, so a renderer, the release or `studyguide new` can take these
types without loading the parser, the validation pass or another renderer.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from studyguide.model import Guide

if TYPE_CHECKING:  # the cache is the builder's, handed in by the pipeline; its type only is named here
    from studyguide.errors import Problem
    from studyguide.store.cache import Cache

# Installed from a wheel, the templates are inside the package; in a clone (or an editable install)
# they are templates/ at the top of the repository.
PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates" if (PACKAGE / "templates").is_dir() else PACKAGE.parent / "templates"

# What a format may need prepared before it renders: formulas and diagrams drawn as SVG, images read,
# each question's last edit from git (so an edit reaches learners who keep state, as in a deck).
Need = Literal["formulas", "diagrams", "images", "history"]


@dataclass(frozen=True)
class Options:
    """Choices that change an output: paper size, PDF edition, where templates live."""

    paper: str = "a4"
    edition: str = "full"
    templates: Path = TEMPLATES


@dataclass(frozen=True)
class Image:
    """One image file of the content."""

    src: str
    path: Path
    data: bytes
    mime: str

    @property
    def name(self) -> str:
        """Return a flat, content-hashed file name (for the .apkg media folder)."""
        return f"{hashlib.sha256(self.data).hexdigest()[:16]}{self.path.suffix.lower()}"

    def data_uri(self) -> str:
        """Return the image as a data: URI (for the one-file page)."""
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"

    def file_url(self) -> str:
        """Return the image's file:// URL (for WeasyPrint)."""
        return self.path.resolve().as_uri()


def content_hash(value: object) -> str:
    """Return a short, stable hash of JSON-able content."""
    data = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Entry:
    """One locked thing: its content hash and its modification time in Unix seconds (a note: its type and cards)."""

    hash: str
    mod: int
    kind: str = "question"  # a note's type: "question", "cloze" or "reversed"
    cards: tuple[int, ...] = ()  # a cloze note's cloze numbers


@dataclass(frozen=True)
class Snapshot:
    """What the current content puts into the deck, as hashes: note types, notes, deck names."""

    note_type: str  # the question note type's
    notes: Mapping[str, str]
    decks: Mapping[str, str]
    note_types: Mapping[str, str] = field(default_factory=dict)  # the other note types the deck uses, by kind
    shapes: Mapping[str, tuple[str, tuple[int, ...]]] = field(default_factory=dict)  # id -> kind, cards (not questions)


@dataclass(frozen=True)
class Lock:
    """The state of the Anki deck at the last release (`content/anki.lock.json`)."""

    guide: str
    released: int
    note_type: Entry | None
    notes: dict[str, Entry]
    decks: dict[str, str]
    note_types: dict[str, Entry] = field(default_factory=dict)  # the other note types, by kind

    def stamp(self, entry: Entry | None, current: str, edited: int = 0) -> int:
        """Return the modification time for content with hash `current`, last edited at `edited` (0: unknown).

        Locked and unchanged: the locked time. Changed: the locked time + 1, or the edit's time if later.
        New: the release time + 1, or the edit's time if later. A release stamps at least the release
        time + 2, so it is newer than any of these (an edit is committed before it is released).
        """
        if entry is None:
            return max(self.released + 1, edited)
        return entry.mod if entry.hash == current else max(entry.mod + 1, edited)


@dataclass(frozen=True)
class Resources:
    """What validation read and drew: images (by `src`), formulas' SVG (by TeX and display), the lock, the date,
    diagrams' safe SVG (by source)."""

    images: Mapping[str, Image]
    formulas: Mapping[tuple[str, bool], str]
    lock: Lock
    epoch: int = 0  # the one date every output carries: SOURCE_DATE_EPOCH, else the guide's date (Unix seconds)
    diagrams: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    """One build's work for the renderers: a valid guide, what validation read and drew, the options, the cache."""

    guide: Guide
    resources: Resources
    options: Options
    cache: Cache
    warnings: tuple[Problem, ...] = ()  # what the parser warned of: shown, never a reason to stop
    edited: Mapping[str, int] = field(default_factory=dict)  # question id -> when its file last changed (git)
