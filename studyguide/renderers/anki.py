"""The Anki deck: one genanki note per question, written to a byte-reproducible .apkg."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import itertools
import json
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from html import escape
from pathlib import Path
from typing import Any, cast

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA
from markupsafe import Markup

from .. import lock
from ..dates import build_epoch
from ..i18n import Messages
from ..markup import notes_html, plain_checkbox, to_html
from ..model import Guide, Node
from ..resources import Resources
from ..rich import anki_field, anki_text, css_for_anki, hooks_for_anki
from .base import Job, Options, environment, messages, task_boxes

# The note type is frozen from this release. Its id, its field list and its template names must
# never change: Anki turns any such change into conflicting copies in every learner's collection.
# Only the CSS and the template HTML (templates/anki/) may change; when they do, the lock gives the
# note type a newer modification time, or Anki would keep the old style.
# The templates hold the labels ("See also:"): a guide in another language (or with its own labels) gets a
# note type of its own, named after its language, so each guide's cards keep their words; English keeps this.
MODEL_ID = 1_607_392_319
MODEL_NAME = "studyguide question"
FIELDS = ("Id", "Question", "Core", "Answer", "Sources", "SeeAlso", "Section")
TEMPLATE_NAME = "Card 1"


def stable_id(*parts: str) -> int:
    """Return a positive 31-bit id derived from text (for decks)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1 | 1 << 30


@dataclass(frozen=True)
class NoteContent:
    """What one note carries into a learner's collection: fields, tags and deck."""

    id: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str
    section_id: str

    @cached_property
    def hash(self) -> str:
        """Return the hash the lock compares (computed once: the release check and the deck both need it)."""
        return lock.content_hash({"fields": self.fields, "tags": self.tags, "deck": self.deck})


class TimedNote(genanki.Note):  # type: ignore[misc]
    """A genanki note written with its own modification time instead of the package's."""

    def __init__(self, mod: int, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.mod = mod

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


def note_type_name(words: Messages) -> str:
    """Return the name of a guide's note type: the frozen English one, or one for its language and labels."""
    if words.source:
        return MODEL_NAME
    variant = words.language
    if words.labels:  # the guide's own words: a note type of their own, named by their hash
        variant += f", {lock.content_hash(words.labels)[:8]}"
    return f"{MODEL_NAME} ({variant})"


def model_id(name: str) -> int:
    """Return a note type's id: the frozen one for English, else one derived from its name."""
    return MODEL_ID if name == MODEL_NAME else stable_id(name)


def note_type_parts(job: Job) -> dict[str, object]:
    """Return what defines the note type: the frozen structure plus templates and CSS.

    Rendering it needs jinja2 and Pygments (about 25 ms to import); the templates rarely change, so
    the result is kept in the cache, keyed by the Anki template files (the cache's key covers the
    code and every library version), and once per build in the job.
    """
    if "anki.note_type" not in job.shared:
        templates = job.options.templates / "anki"
        files = [(str(p.relative_to(templates)), p.read_bytes()) for p in sorted(templates.rglob("*")) if p.is_file()]
        meta = job.guide.meta
        files.append(("labels", json.dumps([meta.language, meta.labels]).encode()))
        key = job.cache.key("anki", "note-type", *(part for name, data in files for part in (name, data)))
        parts = job.cache.get_json("anki", key)
        if not isinstance(parts, dict) or set(parts) != NOTE_TYPE_KEYS:
            parts = _render_note_type(job.options, messages(meta))
            job.cache.put_json("anki", key, parts)
        job.shared["anki.note_type"] = parts
    return cast(dict[str, object], job.shared["anki.note_type"])


NOTE_TYPE_KEYS = {"name", "fields", "template", "qfmt", "afmt", "css", "sortf"}


def card_label(text: str) -> Markup:
    """Return a label as card HTML: escaped, and never read as math by MathJax or as a field by Anki."""
    return Markup(anki_field(anki_text(text)))


def _render_note_type(options: Options, words: Messages) -> dict[str, object]:
    """Render the card templates and CSS, with the guide's labels, language and direction."""
    env = environment(options.templates, anki=True)
    name = note_type_name(words)
    card = "" if words.source else f' lang="{escape(words.language)}" dir="{words.direction}"'
    labels = {
        "card": Markup(card),
        "see_also": card_label(words.colon(words.text("see-also", "See also"))),
        "sources": card_label(words.colon(words.text("sources", "Sources"))),
    }
    return {
        "name": name,
        "fields": list(FIELDS),
        "template": TEMPLATE_NAME,
        "qfmt": env.get_template("anki/front.html").render(**labels),
        "afmt": env.get_template("anki/back.html").render(**labels),
        "css": env.get_template("anki/style.css").render() + css_for_anki(),
        "sortf": FIELDS.index("Question"),
    }


def note_contents(job: Job) -> tuple[list[NoteContent], dict[str, bytes]]:
    """Return every note's fields, tags and deck, in reading order, and the media files they name (once a build)."""
    if "anki.notes" not in job.shared:
        job.shared["anki.notes"] = _render_notes(job.guide, job.resources)
    return cast(tuple[list[NoteContent], dict[str, bytes]], job.shared["anki.notes"])


def _render_notes(guide: Guide, resources: Resources) -> tuple[list[NoteContent], dict[str, bytes]]:
    """Render every note's fields with the card hooks."""
    hooks, media = hooks_for_anki(resources)
    hooks = dataclasses.replace(hooks, checkbox=task_boxes(guide.meta, plain_checkbox))
    titles = {q.id: q.title for q in guide.questions}

    def html(node: Node | None) -> str:
        return to_html(node, hooks) if node is not None else ""

    notes = []
    for section in guide.sections:
        deck = deck_name(guide.meta.title, section.title)
        for q in section.questions:
            # A list, not titles joined by commas: a title may hold a comma. Only the field's text changes.
            see_also = "".join(f"<li>{anki_text(titles[i])}</li>" for i in q.see_also)
            # The notes end the back: after the sources, which the card shows last, else after the answer.
            answer, sources, footnotes = html(q.answer), html(q.sources), notes_html(q.footnotes, hooks)
            answer, sources = (answer, sources + footnotes) if sources else (answer + footnotes, sources)
            fields = tuple(
                anki_field(field)
                for field in (
                    q.id,
                    anki_text(q.title),
                    html(q.core),
                    answer,
                    sources,
                    see_also and f"<ul>{see_also}</ul>",
                )
            ) + (anki_field(anki_text(section.title)),)
            tags = (*q.tags, f"{guide.meta.id}::{section.id}")
            notes.append(NoteContent(q.id, fields, tags, deck, section.id))
    return notes, media


def deck_name(guide_title: str, section_title: str) -> str:
    """Return a section's deck: a subdeck of the guide's, never more levels (Anki reads `::` as a level)."""
    return "::".join(part.replace("::", ":\u200b:").strip() for part in (guide_title, section_title))


def snapshot(job: Job) -> lock.Snapshot:
    """Return the hashes of what the content puts into the deck now (pure: reads and writes nothing)."""
    notes = note_contents(job)[0]
    decks = {s.id: deck_name(job.guide.meta.title, s.title) for s in job.guide.sections}
    return lock.Snapshot(lock.content_hash(note_type_parts(job)), {n.id: n.hash for n in notes}, decks)


class AnkiRenderer:
    """Writes `<guide-id>.apkg`."""

    name = "anki"
    description = "Anki deck (.apkg), one note per question, one subdeck per section"

    def filename(self, guide: Guide, options: Options) -> str:
        """Return `<guide-id>.apkg`."""
        return f"{guide.meta.id}.apkg"

    def render(self, job: Job) -> bytes:
        """Build the deck, each note dated by the lock, and return the .apkg bytes."""
        guide, locked = job.guide, job.resources.lock
        parts = note_type_parts(job)
        model = TimedModel(
            lock.stamp(locked.note_type, lock.content_hash(parts), locked),
            model_id=model_id(str(parts["name"])),
            name=parts["name"],
            fields=[{"name": name} for name in FIELDS],
            templates=[{"name": TEMPLATE_NAME, "qfmt": parts["qfmt"], "afmt": parts["afmt"]}],
            css=parts["css"],
            sort_field_index=FIELDS.index("Question"),
        )
        decks: dict[str, genanki.Deck] = {}
        notes, media = note_contents(job)
        for note in notes:
            if note.deck not in decks:
                decks[note.deck] = genanki.Deck(stable_id(guide.meta.id, note.deck.split("::", 1)[1]), note.deck)
            mod = lock.stamp(locked.notes.get(note.id), note.hash, locked, job.edited.get(note.id, 0))
            decks[note.deck].add_note(
                TimedNote(
                    mod,
                    model=model,
                    fields=list(note.fields),
                    tags=list(note.tags),
                    guid=genanki.guid_for(guide.meta.id, note.id),
                )
            )
        return write_apkg(list(decks.values()), build_epoch(guide.meta), media)


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


def write_apkg(decks: list[genanki.Deck], epoch: int, media: dict[str, bytes] | None = None) -> bytes:
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
