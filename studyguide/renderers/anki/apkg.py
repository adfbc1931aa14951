"""Writing the .apkg: genanki's notes and note types with their own times, and a byte-reproducible zip."""

from __future__ import annotations

import io
import itertools
import json
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA


class TimedNote(genanki.Note):  # type: ignore[misc]
    """A genanki note written with its own modification time instead of the package's (and a cloze note's cards)."""

    def __init__(self, mod: int, clozes: tuple[int, ...] = (), **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.mod = mod
        if clozes:  # one card per cloze number, in their order (genanki would find them in the fields again)
            self.cards = [genanki.Card(number - 1) for number in clozes]

    def write_to_db(self, cursor: sqlite3.Cursor, timestamp: float, deck_id: int, id_gen: Iterator[int]) -> None:
        """Write the note and its card, both stamped with the note's own time."""
        super().write_to_db(cursor, self.mod, deck_id, id_gen)


class TimedModel(genanki.Model):  # type: ignore[misc]
    """A genanki note type written with its own modification time instead of the package's."""

    def __init__(self, mod: int, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.mod = mod

    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        """Return the note type's JSON, stamped with its own time."""
        data: dict[str, Any] = super().to_json(self.mod, deck_id)
        return data


def write_collection(cursor: sqlite3.Cursor, decks: list[genanki.Deck], epoch: int, id_gen: Iterator[int]) -> None:
    """Write genanki's empty collection, every deck and note type in one update, then the notes.

    genanki's `Package.write_to_db` rewrites the collection's deck and note type JSON once per deck,
    which grows with the square of the number of sections; the rows it writes are the same.
    """
    cursor.executescript(APKG_SCHEMA)
    cursor.executescript(APKG_COL)
    (decks_json,) = cursor.execute("SELECT decks FROM col").fetchone()
    (models_json,) = cursor.execute("SELECT models FROM col").fetchone()
    all_decks, models = json.loads(decks_json), json.loads(models_json)
    owners: dict[int, tuple[genanki.Model, int]] = {}  # each note type, with the last deck that uses it
    for deck in decks:
        all_decks[str(deck.deck_id)] = deck.to_json()
        owners.update((note.model.model_id, (note.model, deck.deck_id)) for note in deck.notes)
    for model_id, (model, deck_id) in owners.items():
        models[str(model_id)] = model.to_json(epoch, deck_id)
    cursor.execute("UPDATE col SET decks = ?, models = ?", (json.dumps(all_decks), json.dumps(models)))
    for deck in decks:
        for note in deck.notes:
            note.write_to_db(cursor, epoch, deck.deck_id, id_gen)


def write_apkg(decks: list[genanki.Deck], epoch: int, media: Mapping[str, bytes] | None = None) -> bytes:
    """Write the collection and the zip with fixed dates, so equal input gives equal bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(db_path)
        # A throwaway file: no rollback journal, no waiting for the disk (the bytes are the same).
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        write_collection(conn.cursor(), decks, epoch, itertools.count(epoch * 1000))
        conn.commit()
        conn.execute("VACUUM")
        conn.close()
        database = db_path.read_bytes()
    media = media or {}
    names = sorted(media)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        index = json.dumps({str(i): n for i, n in enumerate(names)}).encode()
        entries = [("collection.anki2", database), ("media", index)]
        entries += [(str(i), media[n]) for i, n in enumerate(names)]
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=1)  # twice as fast as the default level, 20 % larger
    return buffer.getvalue()
