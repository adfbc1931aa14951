"""The deck's notes, computed once a build as a pure value: the release's snapshot and the .apkg both take it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property

from studyguide.markup import Hooks, notes_html, plain_checkbox, to_html
from studyguide.model import Guide, Node, Question, Section, cloze_numbers
from studyguide.renderers.anki.fields import anki_field, anki_text, cloze_field, hooks_for_anki
from studyguide.renderers.anki.kinds import (
    FIELDS,
    MODEL_ID,
    MODEL_NAME,
    TEMPLATE_NAME,
    note_type_parts,
    stable_id,
)
from studyguide.renderers.base import alert_hook, task_boxes
from studyguide.stages import Job, Resources, Snapshot, content_hash

__all__ = ["FIELDS", "MODEL_ID", "MODEL_NAME", "TEMPLATE_NAME", "Deck", "NoteContent", "deck", "stable_id"]


@dataclass(frozen=True)
class NoteContent:
    """What one note carries into a learner's collection: fields, tags and deck; its note type and cards."""

    id: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str
    section_id: str
    kind: str = "question"  # the note type: "question", "cloze" or "reversed" (kinds.NOTE_TYPES)
    cards: tuple[int, ...] = ()  # a cloze note's cloze numbers, one card each

    @cached_property
    def hash(self) -> str:
        """Return the hash the lock compares (computed once: the release check and the deck both need it)."""
        content: dict[str, object] = {"fields": self.fields, "tags": self.tags, "deck": self.deck}
        if self.kind != "question":  # a question's hash as before other note types existed
            content["kind"] = self.kind
        return content_hash(content)


@dataclass(frozen=True)
class Deck:
    """What the content puts into the deck: the note types' parts, every note in reading order, the media."""

    note_type: Mapping[str, object]  # the question note type's, always (the lock's "note_type")
    notes: tuple[NoteContent, ...]
    media: Mapping[str, bytes]
    decks: Mapping[str, str]  # section id -> deck name
    note_types: Mapping[str, Mapping[str, object]] = dataclasses.field(default_factory=dict)  # the others used

    def snapshot(self) -> Snapshot:
        """Return the hashes the release lock compares, and the shape of every note that is not a plain question."""
        others = {kind: content_hash(dict(parts)) for kind, parts in self.note_types.items()}
        shapes = {n.id: (n.kind, n.cards) for n in self.notes if n.kind != "question"}
        notes = {n.id: n.hash for n in self.notes}
        return Snapshot(content_hash(dict(self.note_type)), notes, dict(self.decks), others, shapes)


def deck(job: Job) -> Deck:
    """Return the deck's notes for a job (reads nothing but the cache of the rendered note types)."""
    notes, media = _render_notes(job.guide, job.resources)
    decks = {s.id: deck_name(job.guide.meta.title, s.title) for s in job.guide.sections}
    used = sorted({note.kind for note in notes} - {"question"})
    others = {kind: note_type_parts(job, kind) for kind in used}
    return Deck(note_type_parts(job), tuple(notes), media, decks, others)


def _render_notes(guide: Guide, resources: Resources) -> tuple[list[NoteContent], dict[str, bytes]]:
    """Render every note's fields with the card hooks."""
    hooks, media = hooks_for_anki(resources)
    hooks = dataclasses.replace(
        hooks, checkbox=task_boxes(guide.meta, plain_checkbox), alert=alert_hook(guide.meta), details_open=True
    )
    titles = {q.id: q.title for q in guide.questions}
    notes = []
    for section in guide.sections:
        deck = deck_name(guide.meta.title, section.title)
        for q in section.questions:
            kind = "cloze" if q.clozes else "reversed" if q.reverse else "question"
            fields = _fields(q, section, hooks, titles)
            tags = (*q.tags, f"{guide.meta.id}::{section.id}")
            notes.append(NoteContent(q.id, fields, tags, deck, section.id, kind, q.clozes))
    return notes, media


def _fields(q: Question, section: Section, hooks: Hooks, titles: Mapping[str, str]) -> tuple[str, ...]:
    """Return a note's fields: Id, Question, Core and Answer (a cloze note: Text and Extra), Sources, SeeAlso, Section.

    A cloze note's Text holds the parts with clozes (the core answer, the answer, or both) and its
    Extra the others, shown on the back only: the front hides a cloze, and a part without one would
    often give it away.
    """
    html: Callable[[Node | None], str] = lambda node: to_html(node, hooks) if node is not None else ""  # noqa: E731
    # A list, not titles joined by commas: a title may hold a comma. Only the field's text changes.
    see_also = "".join(f"<li>{anki_text(titles[i])}</li>" for i in q.see_also)
    # The notes end the back: after the sources, which the card shows last, else after the answer.
    sources, footnotes = html(q.sources), notes_html(q.footnotes, hooks)
    if q.clozes:
        parts = [(css, html(tree), bool(cloze_numbers(tree))) for css, tree in (("core", q.core), ("answer", q.answer))]
        text = "".join(f'<div class="sg-{css}">{part}</div>' for css, part, holds in parts if holds and part)
        extra = "".join(f'<div class="sg-{css}">{part}</div>' for css, part, holds in parts if not holds and part)
        middle = (cloze_field(text), anki_field(extra + ("" if sources else footnotes)))
    else:
        answer = html(q.answer) + ("" if sources else footnotes)
        middle = (anki_field(html(q.core)), anki_field(answer))
    sources += footnotes if sources else ""
    first = (anki_field(q.id), anki_field(anki_text(q.title)))
    last = (anki_field(sources), anki_field(see_also and f"<ul>{see_also}</ul>"), anki_field(anki_text(section.title)))
    return first + middle + last


def deck_name(guide_title: str, section_title: str) -> str:
    """Return a section's deck: a subdeck of the guide's, never more levels (Anki reads `::` as a level)."""
    return "::".join(part.replace("::", ":\u200b:").strip() for part in (guide_title, section_title))
