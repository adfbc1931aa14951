"""The Anki deck: one genanki note per question, written to a byte-reproducible .apkg."""

from __future__ import annotations

import genanki

from studyguide.model import Guide
from studyguide.renderers.anki.apkg import TimedModel, TimedNote, write_apkg
from studyguide.renderers.anki.notes import FIELDS, TEMPLATE_NAME, Deck, deck, model_id, stable_id
from studyguide.renderers.base import Renderer
from studyguide.stages import Job, Options, Snapshot, content_hash


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
        """Build the deck, each note dated by the lock, and return the .apkg bytes."""
        guide, locked, found = job.guide, job.resources.lock, self._deck(job, prepared)
        parts = found.note_type
        model = TimedModel(
            locked.stamp(locked.note_type, content_hash(dict(parts))),
            model_id=model_id(str(parts["name"])),
            name=parts["name"],
            fields=[{"name": name} for name in FIELDS],
            templates=[{"name": TEMPLATE_NAME, "qfmt": parts["qfmt"], "afmt": parts["afmt"]}],
            css=parts["css"],
            sort_field_index=FIELDS.index("Question"),
        )
        decks: dict[str, genanki.Deck] = {}
        for note in found.notes:
            if note.deck not in decks:
                decks[note.deck] = genanki.Deck(stable_id(guide.meta.id, note.deck.split("::", 1)[1]), note.deck)
            mod = locked.stamp(locked.notes.get(note.id), note.hash, job.edited.get(note.id, 0))
            decks[note.deck].add_note(
                TimedNote(
                    mod,
                    model=model,
                    fields=list(note.fields),
                    tags=list(note.tags),
                    guid=genanki.guid_for(guide.meta.id, note.id),
                )
            )
        return write_apkg(list(decks.values()), job.resources.epoch, found.media)

    def _deck(self, job: Job, prepared: object) -> Deck:
        """Return the prepared deck of this build, or prepare it (a caller that renders the deck alone)."""
        return prepared if isinstance(prepared, Deck) else deck(job)
