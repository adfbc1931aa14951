"""The Anki deck: one genanki note per question, written to a byte-reproducible .apkg."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import sqlite3
import tempfile
import zipfile
from html import escape
from pathlib import Path

import genanki

from ..markup import Hooks, to_html
from ..model import Guide, Node, Question
from ..rich import css_for_anki, hooks_for_anki
from .base import Options, build_epoch, environment

# The note type is frozen from this release. Its id, its field list and its template names must
# never change: Anki turns any such change into conflicting copies in every learner's collection.
# Only the CSS and the template HTML may change.
MODEL_ID = 1_607_392_319
MODEL_NAME = "studyguide question"
FIELDS = ("Id", "Question", "Core", "Answer", "Sources", "SeeAlso", "Section")
TEMPLATE_NAME = "Card 1"


def anki_math(tex: str, display: bool) -> str:
    """Keep a formula for Anki's built-in MathJax."""
    return escape(f"\\[{tex}\\]" if display else f"\\({tex}\\)")


def stable_id(*parts: str) -> int:
    """Return a positive 31-bit id derived from text (for decks)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1 | 1 << 30


class AnkiRenderer:
    """Writes `<guide-id>.apkg`."""

    name = "anki"
    description = "Anki deck (.apkg), one note per question, one subdeck per section"

    def filename(self, guide: Guide, options: Options) -> str:
        """Return `<guide-id>.apkg`."""
        return f"{guide.meta.id}.apkg"

    def render(self, guide: Guide, options: Options) -> bytes:
        """Build the deck and return the .apkg bytes."""
        env = environment(options.templates, anki=True)
        model = genanki.Model(
            MODEL_ID,
            MODEL_NAME,
            fields=[{"name": name} for name in FIELDS],
            templates=[
                {
                    "name": TEMPLATE_NAME,
                    "qfmt": env.get_template("anki/front.html").render(),
                    "afmt": env.get_template("anki/back.html").render(),
                }
            ],
            css=env.get_template("anki/style.css").render() + css_for_anki(),
            sort_field_index=FIELDS.index("Question"),
        )
        hooks, media = hooks_for_anki(guide)
        decks = []
        for section in guide.sections:
            deck = genanki.Deck(stable_id(guide.meta.id, section.title), f"{guide.meta.title}::{section.title}")
            for question in section.questions:
                deck.add_note(self._note(guide, model, question, section.title, section.id, hooks))
            decks.append(deck)
        return write_apkg(decks, build_epoch(guide), media)

    def _note(
        self, guide: Guide, model: genanki.Model, q: Question, section: str, section_id: str, hooks: Hooks
    ) -> genanki.Note:
        def html(node: Node | None) -> str:
            return to_html(node, hooks) if node is not None else ""

        titles = {other.id: other.title for other in guide.questions}
        see_also = ", ".join(titles[i] for i in q.see_also)
        fields = [q.id, escape(q.title), html(q.core), html(q.answer), html(q.sources), escape(see_also), escape(section)]
        tags = [*q.tags, f"{guide.meta.id}::{section_id}"]
        return genanki.Note(model=model, fields=fields, tags=tags, guid=genanki.guid_for(guide.meta.id, q.id))


def write_apkg(decks: list[genanki.Deck], epoch: int, media: dict[str, bytes] | None = None) -> bytes:
    """Write the collection and the zip with fixed dates, so equal input gives equal bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(db_path)
        package = genanki.Package(decks)
        package.write_to_db(conn.cursor(), epoch, itertools.count(epoch * 1000))
        conn.commit()
        conn.execute("VACUUM")
        conn.close()
        database = db_path.read_bytes()
    media = media or {}
    names = sorted(media)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = [("collection.anki2", database), ("media", json.dumps({str(i): n for i, n in enumerate(names)}).encode())]
        entries += [(str(i), media[n]) for i, n in enumerate(names)]
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()
