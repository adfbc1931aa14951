"""The deck's note types: the question (frozen), the cloze, and the question with its reversed card.

Each note type is frozen from its first release: its id, its field list and its template names must
never change, or Anki turns every learner's notes of it into conflicting copies. Only the CSS and the
template HTML (templates/anki/) may change; when they do, the lock gives that note type a newer
modification time, or Anki would keep the old style. The templates hold the labels ("See also:"): a
guide in another language (or with its own labels) gets note types of its own, named after its
language, so each guide's cards keep their words; English keeps these names and ids.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from studyguide.i18n import Messages
from studyguide.markup.inert import card_inert, css_inert
from studyguide.renderers.anki.fields import anki_field, anki_text, css_for_anki
from studyguide.renderers.base import environment, messages
from studyguide.stages import Job, Options, content_hash

# The question note type, frozen since the first release (tests/test_anki.py holds every value).
MODEL_ID = 1_607_392_319
MODEL_NAME = "studyguide question"
FIELDS = ("Id", "Question", "Core", "Answer", "Sources", "SeeAlso", "Section")
TEMPLATE_NAME = "Card 1"
NOTE_TYPE_KEYS = {"name", "fields", "template", "qfmt", "afmt", "css", "sortf"}
# The cloze note type: one card per cloze number (Anki's own kind of note type, "type": 1).
CLOZE_MODEL_ID = 1_607_392_401
CLOZE_NAME = "studyguide cloze"
CLOZE_FIELDS = ("Id", "Question", "Text", "Extra", "Sources", "SeeAlso", "Section")
CLOZE_TEMPLATE = "Cloze"
# The question with its reversed card: the question's own card, then one that asks for the question.
REVERSED_MODEL_ID = 1_607_392_402
REVERSED_NAME = "studyguide question and reversed"
REVERSED_TEMPLATE = "Card 2"
OTHER_KEYS = {"name", "fields", "templates", "css", "sortf", "type"}


@dataclass(frozen=True)
class NoteType:
    """What a note type is made of: its English name and id, fields, and templates (name, front file, back file)."""

    kind: str
    model_id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str, str], ...]
    cloze: bool = False


NOTE_TYPES = {
    "question": NoteType("question", MODEL_ID, MODEL_NAME, FIELDS, ((TEMPLATE_NAME, "front.html", "back.html"),)),
    "cloze": NoteType(
        "cloze",
        CLOZE_MODEL_ID,
        CLOZE_NAME,
        CLOZE_FIELDS,
        ((CLOZE_TEMPLATE, "cloze-front.html", "cloze-back.html"),),
        True,
    ),
    "reversed": NoteType(
        "reversed",
        REVERSED_MODEL_ID,
        REVERSED_NAME,
        FIELDS,
        ((TEMPLATE_NAME, "front.html", "back.html"), (REVERSED_TEMPLATE, "reverse-front.html", "reverse-back.html")),
    ),
}


def stable_id(*parts: str) -> int:
    """Return a positive 31-bit id derived from text (for decks)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1 | 1 << 30


def note_type_name(words: Messages, kind: str = "question") -> str:
    """Return the name of a guide's note type: the frozen English one, or one for its language and labels."""
    base = NOTE_TYPES[kind].name
    if words.source:
        return base
    variant = words.language
    if words.labels:  # the guide's own words: a note type of their own, named by their hash
        variant += f", {content_hash(words.labels)[:8]}"
    return f"{base} ({variant})"


def model_id(name: str) -> int:
    """Return a note type's id: the frozen one for an English name, else one derived from its name."""
    frozen = {note_type.name: note_type.model_id for note_type in NOTE_TYPES.values()}
    return frozen.get(name) or stable_id(name)


def note_type_parts(job: Job, kind: str = "question") -> dict[str, object]:
    """Return what defines a note type: the frozen structure plus templates and CSS.

    Rendering it needs jinja2 and Pygments (about 25 ms to import); the templates rarely change, so
    the result is kept in the cache, keyed by the Anki template files (the cache's key covers the
    code and every library version).
    """
    templates = job.options.templates / "anki"
    files = [(str(p.relative_to(templates)), p.read_bytes()) for p in sorted(templates.rglob("*")) if p.is_file()]
    meta = job.guide.meta
    files.append(("labels", json.dumps([meta.language, meta.labels]).encode()))
    named = () if kind == "question" else (kind,)  # the question's key as before this note type had siblings
    key = job.cache.key("anki", "note-type", *named, *(part for name, data in files for part in (name, data)))
    parts = job.cache.get_json("anki", key)
    if not isinstance(parts, dict) or not _as_written(parts, messages(meta), NOTE_TYPES[kind]):
        parts = _render_note_type(job.options, messages(meta), NOTE_TYPES[kind])
        job.cache.put_json("anki", key, parts)
    return parts


def _as_written(parts: dict[str, object], words: Messages, note_type: NoteType) -> bool:
    """Tell whether a cached note type has its frozen structure, and templates and CSS that run and load nothing.

    The cache's checksum finds damage, not a planted entry: anything else is rendered anew.
    """
    question = note_type.kind == "question"
    if set(parts) != (NOTE_TYPE_KEYS if question else OTHER_KEYS):
        return False
    frozen: dict[str, object] = {"name": note_type_name(words, note_type.kind), "fields": list(note_type.fields)}
    frozen["sortf"] = note_type.fields.index("Question")
    frozen |= {"template": TEMPLATE_NAME} if question else {"type": int(note_type.cloze)}
    if any(parts[key] != value for key, value in frozen.items()):
        return False
    templates = [[TEMPLATE_NAME, parts["qfmt"], parts["afmt"]]] if question else parts["templates"]
    names = [name for name, _, _ in note_type.templates]
    if (
        not isinstance(templates, list)
        or [t[0] if isinstance(t, list) and len(t) == 3 else None for t in templates] != names
    ):
        return False
    markup = [html for _, *sides in templates for html in sides]
    css = parts["css"]
    return (
        all(isinstance(html, str) and card_inert(html) for html in markup) and isinstance(css, str) and css_inert(css)
    )


def card_label(text: str) -> Markup:
    """Return a label as card HTML: escaped, and never read as math by MathJax or as a field by Anki."""
    return Markup(anki_field(anki_text(text)))


def _render_note_type(options: Options, words: Messages, note_type: NoteType) -> dict[str, object]:
    """Render a note type's card templates and CSS, with the guide's labels, language and direction."""
    env = environment(options.templates, anki=True)
    card = "" if words.source else f' lang="{escape(words.language)}" dir="{words.direction}"'
    labels = {
        "card": Markup(card),
        "see_also": card_label(words.colon(words.text("see-also", "See also"))),
        "sources": card_label(words.colon(words.text("sources", "Sources"))),
        "reverse_prompt": card_label(words.text("reverse-prompt", "Which question does this answer?")),
    }
    css = env.get_template("anki/style.css").render()
    rendered = [
        (name, env.get_template(f"anki/{front}").render(**labels), env.get_template(f"anki/{back}").render(**labels))
        for name, front, back in note_type.templates
    ]
    common = {"name": note_type_name(words, note_type.kind), "fields": list(note_type.fields)}
    if note_type.kind == "question":  # today's parts, key for key: their hash is the lock's
        ((name, front, back),) = rendered
        own = {"template": name, "qfmt": front, "afmt": back, "css": css + css_for_anki()}
        return {**common, **own, "sortf": FIELDS.index("Question")}
    css += env.get_template("anki/types.css").render()
    parts: dict[str, object] = {"templates": [list(template) for template in rendered], "css": css + css_for_anki()}
    return {**common, **parts, "sortf": note_type.fields.index("Question"), "type": int(note_type.cloze)}
