"""Card text: escaped HTML that neither Anki's own markup nor its MathJax reads as anything but text."""

from __future__ import annotations

import re
from html import escape

from studyguide.markup import Hooks, highlight
from studyguide.markup.alerts import NOTATION_CSS, alert_colours
from studyguide.markup.math.split import drawn_pieces
from studyguide.markup.math.vocab import card_pieces, for_mathjax, right_to_left
from studyguide.markup.places import MATH_CSS, diagram_hook, image_tag, split_formula
from studyguide.stages import Resources

# MathJax in a card reads these in the text as formula delimiters; an empty element between the
# backslash and the bracket splits the text MathJax searches, so it shows them as written.
MATHJAX_DELIMITERS = re.compile(r"\\(?=[()\[\]])")


def anki_text(text: str) -> str:
    r"""Escape text for a card: HTML-escaped, and no `\(` `\)` `\[` `\]` that MathJax would read as math."""
    escaped = escape(text)
    return MATHJAX_DELIMITERS.sub(r"\\<span></span>", escaped) if "\\" in escaped else escaped


# Anki's own markup, read from a card's HTML before it is shown (found in ankitects/anki):
#   [sound:NAME]                       rslib card_rendering/parser.rs: plays a file of the learner's media
#   [anki:tts ...]...[/anki:tts]       the same parser: text to speech (and [anki:play:q:0], aqt's play buttons)
#   [[type:Field]]                     aqt/reviewer.py typeAnsPat (AnkiDroid's is the same): a type-in box
#   [latex]..[/latex] [$]..[/$] [$$]..[/$$]   rslib latex.rs, any case: an image that LaTeX on the
#                                      learner's machine draws (or an error), in place of the text
#   {{...}}                            template and cloze syntax ({{c1::...}})
ANKI_MARKUP = re.compile(r"\[(?=(?i:sound:|/?anki:|\[type:|/?latex\]|/?\$\$?\]))|\{\{")


def anki_field(html: str) -> str:
    """Keep a card field's HTML from Anki's own markup (ANKI_MARKUP): each is shown as the text it is.

    Anki reads them in the field's HTML before display; a character reference (`&#91;`) is the same
    character to the reader but not to Anki, so the bracket or brace that starts one is written so.
    """
    if "[" not in html and "{{" not in html:  # most fields: nothing to look for
        return html
    return ANKI_MARKUP.sub(lambda match: "".join(f"&#{ord(c)};" for c in match.group()), html)


# A cloze reaches the field as these marks around its number, hint and hidden text. Content never holds
# a NUL (a file with one is refused as binary), so nothing an author writes can make or break them.
CLOZE_MARKS = re.compile(r"\x00(\d+)\x01([^\x00-\x03]*)\x02([^\x00-\x03]*)\x03")
# Inside a cloze, what Anki would read as the end of the cloze or of its text (`}}`, `::`) is kept as text.
CLOZE_TEXT = str.maketrans({"{": "&#123;", "}": "&#125;", ":": "&#58;"})


def marked_cloze(number: str, hint: str, inner: str) -> str:
    """Mark a cloze for `cloze_field`, which turns it into Anki's `{{cN::text::hint}}`."""
    return f"\x00{number}\x01{anki_text(hint)}\x02{inner}\x03"


def cloze_field(html: str) -> str:
    """Return a cloze note's Text field: Anki's `{{cN::text::hint}}` for each cloze the parser found, nothing else.

    Everything else is kept from Anki's markup as `anki_field` keeps it; inside a cloze, braces and
    colons are character references too, so its text and hint can neither end it nor hold another.
    """
    out, at = [], 0
    for mark in CLOZE_MARKS.finditer(html):
        number, hint, inner = mark.groups()
        out.append(anki_field(html[at : mark.start()]))
        hinted = f"::{hint.translate(CLOZE_TEXT)}" if hint else ""
        out.append(f"{{{{c{number}::{anki_field(inner).translate(CLOZE_TEXT)}{hinted}}}}}")
        at = mark.end()
    out.append(anki_field(html[at:]))
    return "".join(out)


def anki_math(tex: str, display: bool) -> str:
    """Keep a formula for Anki's built-in MathJax, which reads only \\( \\) and \\[ \\].

    A long inline formula goes in the pieces a line may break between (MathJax 3 does not break one),
    each piece set as `card_formula` sets a formula.
    """
    if display:
        return card_formula(tex, display)
    placed = [card_formula(piece, display) for piece in drawn_pieces(tex)]
    return placed[0] if len(placed) == 1 else split_formula(placed)


def card_formula(tex: str, display: bool) -> str:
    """Return one formula (or piece of one) for MathJax: `\\(...\\)`, or its right-to-left words between pieces.

    Right-to-left words at the formula's top level are set as text between its pieces: MathJax would
    draw their letters one by one, left to right (the parser warns of such words it cannot take out).
    """
    pieces = card_pieces(tex) if right_to_left(tex) else None
    if pieces is None:
        tex = for_mathjax(tex)
        return escape(f"\\[{tex}\\]" if display else f"\\({tex}\\)")
    style = "\\displaystyle " if display else ""
    parts = []
    for at, (kind, part) in enumerate(pieces):
        if kind == "math":  # an empty group beside the words keeps TeX's spacing of an operator or relation
            before = "{}" if at > 0 else ""
            after = "{}" if at + 1 < len(pieces) else ""
            parts.append(escape(f"\\({style}{before}{for_mathjax(part)}{after}\\)"))
            continue
        words = anki_text(part.strip())
        words = f"<b>{words}</b>" if kind == "bold" else words  # the spaces around stay outside the isolate
        lead, trail = " " if part[:1].isspace() else "", " " if part[-1:].isspace() else ""
        parts.append(f'{lead}<bdi class="math-words">{words}</bdi>{trail}')
    joined = "".join(parts)  # a formula runs left to right, as the page and the PDF draw it, in a text of any direction
    return f'<div class="math display" dir="ltr">{joined}</div>' if display else f'<bdi dir="ltr">{joined}</bdi>'


def hooks_for_anki(resources: Resources) -> tuple[Hooks, dict[str, bytes]]:
    """Return the card hooks and the media files for the .apkg (flat, content-hashed names)."""
    images = resources.images

    def image(src: str, alt: str) -> str:
        return image_tag(images[src].name, alt)

    media = {img.name: img.data for img in images.values()}
    hooks = Hooks(
        math=anki_math,
        code=highlight.highlight,
        image=image,
        text=anki_text,
        question_links=False,
        cloze=marked_cloze,
        diagram=diagram_hook(resources),
        glue=True,  # a formula and the punctuation right after it share a line, as on the page
    )
    return hooks, media


def css_for_anki() -> str:
    """Return the cards' CSS for code and images: light, and dark under Anki's night-mode classes."""
    code = f"{highlight.light_css()}\n{highlight.dark_css('.nightMode')}\n{highlight.dark_css('.night_mode')}\n"
    night = "".join(alert_colours(scope, dark=True) for scope in (".nightMode", ".night_mode"))
    return code + MATH_CSS + NOTATION_CSS + alert_colours() + night + CARD_NOTATION


# A card shows all at once: a <details> block is open; <mark> in the card's light or night colours.
CARD_NOTATION = """\
details.block { --details-line: var(--sg-rule); }
mark { background: #fff1a8; color: #1a1a1a; }
.nightMode mark, .night_mode mark { background: #5c4d00; color: #f0f0f0; }
.nightMode .diagram svg, .night_mode .diagram svg { filter: invert(1) hue-rotate(180deg); }
"""
