"""Card previews for `studyguide serve`: the front and back of every note as the deck holds them, with the card CSS.

The fields, templates and CSS are the deck's own (`renderers/anki/notes.py`). Anki fills a
template in its reviewer (Rust code inside the desktop app, no library a build can depend on), so
the few template forms this note type uses (`{{Field}}`, `{{#Field}}…{{/Field}}`, `{{^Field}}…`,
`{{FrontSide}}`) are filled here. Anki's MathJax draws the formulas in a card; the preview
places the same formulas as the SVG the page shows, and the images by data: URI.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from typing import cast

from studyguide.markup.places import svg_hooks
from studyguide.renderers.anki.fields import anki_math
from studyguide.renderers.anki.notes import NoteContent, deck
from studyguide.renderers.base import messages
from studyguide.stages import Job

SECTION = re.compile(r"\{\{([#^])([^{}]+)\}\}(.*?)\{\{/\2\}\}", re.S)
FIELD = re.compile(r"\{\{([^{}#^/]+)\}\}")
EMPTY = re.compile(r"^(?:\s|<br\s*/?>|<div>\s*</div>)*$", re.I)  # what Anki takes for an empty field
PREVIEW_CSS = """
body { margin: 0; background: #e5e7eb; font: 14px system-ui, sans-serif; }
.sg-preview-head { padding: 1em 1.5em 0; }
.sg-preview { display: grid; grid-template-columns: repeat(auto-fit, minmax(20em, 1fr)); gap: 1em; padding: 1em 1.5em; }
.sg-preview h2 { grid-column: 1 / -1; margin: 1em 0 0; font-size: 1em; color: #374151; }
.sg-preview .card { padding: 1.2em; border-radius: 6px; box-shadow: 0 1px 3px #0003; }
"""


CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.S)


def fill(template: str, fields: dict[str, str], front: str = "", card: int = 0) -> str:
    """Fill a card template the way Anki's reviewer does for the forms these note types use.

    `card`: the cloze number of a cloze note's card (0 otherwise); on its front that cloze is hidden.
    """

    def section(match: re.Match[str]) -> str:
        present = not EMPTY.match(fields.get(match.group(2).strip(), ""))
        return match.group(3) if present == (match.group(1) == "#") else ""

    previous = None
    while previous != template:  # sections may nest
        previous, template = template, SECTION.sub(section, template)

    def cloze(match: re.Match[str]) -> str:
        number, text, hint = int(match.group(1)), match.group(2), match.group(3)
        if number != card:
            return text
        shown = text if front else f"[{hint or '...'}]"
        return f'<span class="cloze" data-cloze="{number}">{shown}</span>'

    def field(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name.startswith("cloze:"):
            return CLOZE.sub(cloze, fields.get(name.removeprefix("cloze:"), ""))
        return front if name == "FrontSide" else fields.get(name, "")

    return FIELD.sub(field, template)


def card_templates(parts: Mapping[str, object], note: NoteContent) -> list[tuple[int, str, str]]:
    """Return each card of a note: its cloze number (0 for none), front template and back template."""
    if "qfmt" in parts:
        return [(0, str(parts["qfmt"]), str(parts["afmt"]))]
    templates = cast(list[list[str]], parts["templates"])
    if note.cards:  # a cloze note: one card a cloze number, all from the one template
        return [(number, templates[0][1], templates[0][2]) for number in note.cards]
    return [(0, front, back) for _, front, back in templates]


def shown_in_preview(job: Job) -> tuple[dict[str, str], dict[str, str]]:
    """Return what replaces the deck's formula text and media names in a preview: SVG, data: URIs."""
    hooks, _ = svg_hooks(job.resources, shared=False, inline_images=True)
    formulas = {anki_math(tex, display): hooks.math(tex, display) for tex, display in job.resources.formulas}
    images = {f'src="{escape(image.name)}"': f'src="{image.data_uri()}"' for image in job.resources.images.values()}
    return formulas, images


def replaced(html: str, table: dict[str, str]) -> str:
    """Replace every key of `table` found in html by its value, in one pass."""
    if not table or not html:
        return html
    pattern = re.compile("|".join(re.escape(key) for key in sorted(table, key=len, reverse=True)))
    return pattern.sub(lambda match: table[match.group()], html)


def previews(job: Job) -> tuple[str, str]:
    """Return the body of the card preview page and its CSS (the cards' own, and the preview's layout)."""
    found = deck(job)
    formulas, images = shown_in_preview(job)
    words = messages(job.guide.meta)
    cards, styles = [], {str(found.note_type["css"])}
    number = 0
    for note in found.notes:
        parts = found.note_type if note.kind == "question" else found.note_types[note.kind]
        styles.add(str(parts["css"]))
        names = cast(list[str], parts["fields"])
        fields = {
            name: replaced(replaced(value, formulas), images) for name, value in zip(names, note.fields, strict=True)
        }
        for cloze, front_template, back_template in card_templates(parts, note):
            number += 1
            front = fill(front_template, fields, card=cloze)
            back = fill(back_template, fields, front, card=cloze)
            cards.append(
                f'<h2 dir="auto">{number}. <bdi>{fields["Question"]}</bdi> '
                f"<small>(<bdi>{escape(note.id)}</bdi>, <bdi>{escape(note.deck)}</bdi>)</small></h2>"
                f'<div class="card" lang="{escape(words.language)}">{front}</div>'
                f'<div class="card" lang="{escape(words.language)}">{back}</div>'
            )
    head = (
        f'<div class="sg-preview-head" lang="en" dir="ltr"><h1><bdi>{escape(job.guide.meta.title)}</bdi>: {number} '
        "cards</h1><p>Each card's front, then its back, as the deck holds them, with the cards' style.</p></div>"
    )
    return head + '<div class="sg-preview">' + "".join(cards) + "</div>", "\n".join(sorted(styles)) + PREVIEW_CSS
