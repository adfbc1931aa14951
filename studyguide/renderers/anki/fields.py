"""Card text: escaped HTML that neither Anki's own markup nor its MathJax reads as anything but text."""

from __future__ import annotations

import re
from html import escape

from studyguide.markup import Hooks, highlight
from studyguide.markup.math.vocab import for_mathjax
from studyguide.markup.places import MATH_CSS, image_tag
from studyguide.stages import Resources

# MathJax in a card reads these in the text as formula delimiters; an empty element between the
# backslash and the bracket splits the text MathJax searches, so it shows them as written.
MATHJAX_DELIMITERS = re.compile(r"\\(?=[()\[\]])")


def anki_text(text: str) -> str:
    r"""Escape text for a card: HTML-escaped, and no `\(` `\)` `\[` `\]` that MathJax would read as math."""
    escaped = escape(text)
    return MATHJAX_DELIMITERS.sub(r"\\<span></span>", escaped) if "\\" in escaped else escaped


ANKI_MARKUP = re.compile(r"\[(?=(?i:sound|anki|/anki):)|\{\{")


def anki_field(html: str) -> str:
    """Keep a card field's HTML from Anki's own markup: `[sound:...]`, `[anki:...]` and `{{` are shown as text.

    Anki reads them in the field's HTML before display; a character reference is the same
    character to the reader but not to Anki.
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
    """Keep a formula for Anki's built-in MathJax, which reads only \\( \\) and \\[ \\]."""
    tex = for_mathjax(tex)
    return escape(f"\\[{tex}\\]" if display else f"\\({tex}\\)")


def hooks_for_anki(resources: Resources) -> tuple[Hooks, dict[str, bytes]]:
    """Return the card hooks and the media files for the .apkg (flat, content-hashed names)."""
    images = resources.images

    def image(src: str, alt: str) -> str:
        return image_tag(images[src].name, alt)

    media = {img.name: img.data for img in images.values()}
    hooks = Hooks(
        math=anki_math, code=highlight.highlight, image=image, text=anki_text, question_links=False, cloze=marked_cloze
    )
    return hooks, media


def css_for_anki() -> str:
    """Return the cards' CSS for code and images: light, and dark under Anki's night-mode classes."""
    code = f"{highlight.light_css()}\n{highlight.dark_css('.nightMode')}\n{highlight.dark_css('.night_mode')}\n"
    return code + MATH_CSS
