"""The Anki deck: one genanki note per question, written to a byte-reproducible .apkg."""

from __future__ import annotations

from collections.abc import Mapping

import genanki

from studyguide.model import Guide
from studyguide.renderers.anki.apkg import TimedModel, TimedNote, write_apkg
from studyguide.renderers.anki.kinds import NOTE_TYPES, TEMPLATE_NAME, model_id
from studyguide.renderers.anki.notes import Deck, deck, stable_id
from studyguide.renderers.base import Renderer
from studyguide.stages import Job, Lock, Options, Snapshot, content_hash


class AnkiRenderer(Renderer):
    """Writes `<guide-id>.apkg`."""

    name = "anki"
    description = "Anki deck (.apkg), one note per question, one subdeck per section"
    needs = frozenset({"diagrams", "images", "history"})
    templates = ("anki",)
    keeps_state = True

    def filename(self, guide: Guide, options: Options) -> str:
        """Return `<guide-id>.apkg`."""
        return f"{guide.meta.id}.apkg"

    def prepare(self, job: Job) -> Deck:
        """Return the deck's notes, which the release's snapshot and the .apkg both take."""
        return deck(job)

    def snapshot(self, job: Job, prepared: object) -> Snapshot:
        """Return the hashes the release lock compares."""
        return self._deck(job, prepared).snapshot()

    def render(self, job: Job, prepared: object = None) -> bytes:
        """Build the deck, each note and note type dated by the lock, and return the .apkg bytes."""
        guide, locked, found = job.guide, job.resources.lock, self._deck(job, prepared)
        models = {"question": note_model("question", found.note_type, locked)}
        models.update((kind, note_model(kind, parts, locked)) for kind, parts in found.note_types.items())
        decks: dict[str, genanki.Deck] = {}
        for note in found.notes:
            if note.deck not in decks:
                decks[note.deck] = genanki.Deck(stable_id(guide.meta.id, note.deck.split("::", 1)[1]), note.deck)
            mod = locked.stamp(locked.notes.get(note.id), note.hash, job.edited.get(note.id, 0))
            # A note's identity is its question's id; a cloze or reversed note's also its kind (Anki never
            # changes a note's type on import: a question that becomes one is a new note beside the old).
            key = (note.id,) if note.kind == "question" else (note.id, note.kind)
            decks[note.deck].add_note(
                TimedNote(
                    mod,
                    clozes=note.cards,
                    model=models[note.kind],
                    fields=list(note.fields),
                    tags=list(note.tags),
                    guid=genanki.guid_for(guide.meta.id, *key),
                )
            )
        return write_apkg(list(decks.values()), job.resources.epoch, found.media)

    def _deck(self, job: Job, prepared: object) -> Deck:
        """Return the prepared deck of this build, or prepare it (a caller that renders the deck alone)."""
        return prepared if isinstance(prepared, Deck) else deck(job)


def note_model(kind: str, parts: Mapping[str, object], locked: Lock) -> TimedModel:
    """Return a note type for genanki, dated by the lock (its time moves when its templates or CSS change)."""
    note_type, name = NOTE_TYPES[kind], str(parts["name"])
    entry = locked.note_type if kind == "question" else locked.note_types.get(kind)
    if kind == "question":
        templates = [{"name": TEMPLATE_NAME, "qfmt": parts["qfmt"], "afmt": parts["afmt"]}]
    else:
        listed = parts["templates"]
        assert isinstance(listed, list)
        templates = [{"name": title, "qfmt": front, "afmt": back} for title, front, back in listed]
    return TimedModel(
        locked.stamp(entry, content_hash(dict(parts))),
        model_id=model_id(name),
        name=name,
        fields=[{"name": field} for field in note_type.fields],
        templates=templates,
        css=parts["css"],
        sort_field_index=note_type.fields.index("Question"),
        model_type=genanki.Model.CLOZE if note_type.cloze else genanki.Model.FRONT_BACK,
    )
