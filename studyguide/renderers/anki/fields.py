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
    hooks = Hooks(math=anki_math, code=highlight.highlight, image=image, text=anki_text, question_links=False)
    return hooks, media


def css_for_anki() -> str:
    """Return the cards' CSS for code and images: light, and dark under Anki's night-mode classes."""
    code = f"{highlight.light_css()}\n{highlight.dark_css('.nightMode')}\n{highlight.dark_css('.night_mode')}\n"
    return code + MATH_CSS
