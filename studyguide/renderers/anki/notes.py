"""The deck's notes, computed once a build as a pure value: the release's snapshot and the .apkg both take it."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from html import escape

from markupsafe import Markup

from studyguide.i18n import Messages
from studyguide.markup import notes_html, plain_checkbox, to_html
from studyguide.markup.inert import card_inert, css_inert
from studyguide.model import Guide, Node
from studyguide.renderers.anki.fields import anki_field, anki_text, css_for_anki, hooks_for_anki
from studyguide.renderers.base import environment, messages, task_boxes
from studyguide.stages import Job, Options, Resources, Snapshot, content_hash

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
NOTE_TYPE_KEYS = {"name", "fields", "template", "qfmt", "afmt", "css", "sortf"}


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
        return content_hash({"fields": self.fields, "tags": self.tags, "deck": self.deck})


@dataclass(frozen=True)
class Deck:
    """What the content puts into the deck: the note type's parts, every note in reading order, the media."""

    note_type: Mapping[str, object]
    notes: tuple[NoteContent, ...]
    media: Mapping[str, bytes]
    decks: Mapping[str, str]  # section id -> deck name

    def snapshot(self) -> Snapshot:
        """Return the hashes the release lock compares."""
        return Snapshot(content_hash(dict(self.note_type)), {n.id: n.hash for n in self.notes}, dict(self.decks))


def deck(job: Job) -> Deck:
    """Return the deck's notes for a job (reads nothing but the cache of the rendered note type)."""
    notes, media = _render_notes(job.guide, job.resources)
    decks = {s.id: deck_name(job.guide.meta.title, s.title) for s in job.guide.sections}
    return Deck(note_type_parts(job), tuple(notes), media, decks)


def note_type_name(words: Messages) -> str:
    """Return the name of a guide's note type: the frozen English one, or one for its language and labels."""
    if words.source:
        return MODEL_NAME
    variant = words.language
    if words.labels:  # the guide's own words: a note type of their own, named by their hash
        variant += f", {content_hash(words.labels)[:8]}"
    return f"{MODEL_NAME} ({variant})"


def model_id(name: str) -> int:
    """Return a note type's id: the frozen one for English, else one derived from its name."""
    return MODEL_ID if name == MODEL_NAME else stable_id(name)


def note_type_parts(job: Job) -> dict[str, object]:
    """Return what defines the note type: the frozen structure plus templates and CSS.

    Rendering it needs jinja2 and Pygments (about 25 ms to import); the templates rarely change, so
    the result is kept in the cache, keyed by the Anki template files (the cache's key covers the
    code and every library version).
    """
    templates = job.options.templates / "anki"
    files = [(str(p.relative_to(templates)), p.read_bytes()) for p in sorted(templates.rglob("*")) if p.is_file()]
    meta = job.guide.meta
    files.append(("labels", json.dumps([meta.language, meta.labels]).encode()))
    key = job.cache.key("anki", "note-type", *(part for name, data in files for part in (name, data)))
    parts = job.cache.get_json("anki", key)
    if not isinstance(parts, dict) or not _as_written(parts, messages(meta)):
        parts = _render_note_type(job.options, messages(meta))
        job.cache.put_json("anki", key, parts)
    return parts


def _as_written(parts: dict[str, object], words: Messages) -> bool:
    """Tell whether a cached note type has the frozen structure and templates and CSS that run and load nothing.

    The cache's checksum finds damage, not a planted entry: anything else is rendered anew.
    """
    frozen = {"name": note_type_name(words), "fields": list(FIELDS), "template": TEMPLATE_NAME}
    if set(parts) != NOTE_TYPE_KEYS or any(parts[key] != value for key, value in frozen.items()):
        return False
    qfmt, afmt, css = parts["qfmt"], parts["afmt"], parts["css"]
    if not (isinstance(qfmt, str) and isinstance(afmt, str) and isinstance(css, str)):
        return False
    return parts["sortf"] == FIELDS.index("Question") and card_inert(qfmt) and card_inert(afmt) and css_inert(css)


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
