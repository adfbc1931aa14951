"""Real readers for the outputs: the Anki library, poppler/pypdf, an HTML parser."""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from anki.collection import Collection, ImportLogWithChanges


@dataclass(frozen=True)
class Card:
    """One imported card as Anki renders it."""

    guid: str
    deck: str
    tags: tuple[str, ...]
    fields: dict[str, str]
    question: str
    answer: str
    mod: int


BULLETS = frozenset("•◦▪‣")  # list markers the PDF draws, which are not content


def normalize(text: str) -> str:
    """Fold whitespace, join words hyphenated at line ends, unify quotes for comparison."""
    text = re.sub(r"(\w)[-\u2010]\n(\w)", r"\1\2", text)  # WeasyPrint hyphenates with U+2010
    return " ".join(word for word in text.split() if word not in BULLETS)


def import_apkg(path: Path, collection_dir: Path | None = None) -> Collection:
    """Import an .apkg into a fresh (or given) collection and return the open collection."""
    from anki.collection import Collection, ImportAnkiPackageRequest

    folder = collection_dir or Path(tempfile.mkdtemp())
    col = Collection(str(folder / "collection.anki2"))
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path)))
    return col


def import_into(col: Collection, path: Path) -> ImportLogWithChanges.Log:
    """Import an .apkg into an open collection with Anki's default options; return the import log."""
    from anki.collection import ImportAnkiPackageRequest

    return col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path))).log


def cards(col: Collection) -> list[Card]:
    """Render every card of a collection."""
    result = []
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        note = card.note()
        result.append(
            Card(
                guid=note.guid,
                deck=col.decks.name(card.did),
                tags=tuple(note.tags),
                fields=dict(note.items()),
                question=card.question(),
                answer=card.answer(),
                mod=note.mod,
            )
        )
    return result


def pdf_text(path: Path, layout: bool = False) -> list[str]:
    """Return the extracted text of every page (poppler's pdftotext, which decodes every font the PDF embeds).

    `layout`: keep each printed line on one line (pdftotext -layout), as the eye reads a contents page.
    """
    command = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    pages = result.stdout.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.ids: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        for name, value in attrs:
            if name == "id" and value:
                self.ids.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def text_of_html(markup: str) -> tuple[str, list[str]]:
    """Return the visible text of HTML (without style and script) and its element ids."""
    parser = _TextParser()
    parser.feed(markup)
    return normalize(" ".join(parser.parts)), parser.ids


def html_text(path: Path) -> tuple[str, list[str]]:
    """Return the text and element ids of an HTML file."""
    return text_of_html(path.read_text(encoding="utf-8"))
