"""Math, code and images per output: each output's Hooks over what validation drew and read, and their CSS."""

from __future__ import annotations

import dataclasses
import re
from html import escape

from . import highlight
from .cache import Cache
from .markup import Hooks
from .mathsvg import Formulas
from .mathvocab import for_mathjax
from .resources import Resources

MATH_CSS = """\
.math.display { margin: 0.6em 0; text-align: center; }
img.content-image { max-width: 100%; height: auto; }
"""
PAGE_MATH_SCALE = 1.2
# The page scrolls a formula wider than the column; WeasyPrint knows no overflow-x.
SCROLL_CSS = ".math.display { overflow-x: auto; overflow-y: hidden; }\n"


def image_tag(src: str, alt: str) -> str:
    """Return an escaped <img> element."""
    return f'<img class="content-image" src="{escape(src)}" alt="{escape(alt)}">'


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


def _svg_hooks(resources: Resources, shared: bool, url: str, cache: Cache | None = None) -> tuple[Hooks, Formulas]:
    """Return hooks that place the drawn formulas as SVG and images by data: URI or file URL."""
    # The page's sans-serif text has a larger x-height than the Pagella the formulas are drawn to match.
    formulas = Formulas(shared=shared, scale=PAGE_MATH_SCALE if shared else 1.0, cache=cache)
    drawn, images = resources.formulas, resources.images

    def math(tex: str, display: bool) -> str:
        return formulas.place(drawn[(tex, display)], tex, display)

    def image(src: str, alt: str) -> str:
        found = images[src]
        return image_tag(found.data_uri() if url == "data" else found.file_url(), alt)

    return Hooks(math=math, code=highlight.highlight, image=image), formulas


def hooks_for_page(resources: Resources) -> tuple[Hooks, Formulas]:
    """Return the page hooks; after rendering, `Formulas.defs()` is the one hidden glyph block."""
    return _svg_hooks(resources, shared=True, url="data")


def printed_checkbox(checked: bool, done: str = "done", to_do: str = "to do") -> str:
    """Print a task list's box as a ballot box character (paper has no form fields), named for screen readers."""
    label, box = (done, "☑") if checked else (to_do, "☐")
    return f'<span class="task" role="img" aria-label="{escape(label)}">{box}</span>'


# A code block's opening (Pygments puts an empty span before <code>), its lines, and its end.
CODE_BLOCK = re.compile(r"(<pre[^>]*>(?:<span></span>)?(?:<code[^>]*>)?)(.*?)((?:</code>)?</pre>)", re.S)
TAG = re.compile(r"<[^>]*>")
HANG = 2  # columns a wrapped code line sits right of its own indentation


def hanging_lines(html: str) -> str:
    """Make each line of a code block a block whose wrapped part hangs under its own indentation (print only).

    Paper cannot scroll, so a long line wraps; `white-space: pre-wrap` alone would start the rest at
    column 0. Pygments closes its token spans at every line's end, so each line's HTML is whole.
    """

    def lines(match: re.Match[str]) -> str:
        head, body, tail = match.groups()
        out = []
        for line in body.removesuffix("\n").split("\n"):
            text = TAG.sub("", line).expandtabs(8)
            hang = len(text) - len(text.lstrip(" ")) + HANG
            out.append(f'<span class="line" style="padding-left:{hang}ch;text-indent:-{hang}ch">{line or " "}</span>')
        return head + "".join(out) + tail

    return CODE_BLOCK.sub(lines, html)


def hooks_for_pdf(resources: Resources, cache: Cache | None = None) -> tuple[Hooks, Formulas]:
    """Return the print hooks: self-contained SVGs (WeasyPrint draws each alone; kept in `cache`) and file URLs."""
    hooks, formulas = _svg_hooks(resources, shared=False, url="file", cache=cache)

    def code(text: str, lang: str) -> str:
        return hanging_lines(highlight.highlight(text, lang))

    return dataclasses.replace(hooks, checkbox=printed_checkbox, code=code), formulas


def css_for_page() -> str:
    """Return the page's CSS for code, math and images."""
    return highlight.css_for_page() + MATH_CSS + SCROLL_CSS


def css_for_pdf() -> str:
    """Return the PDF's CSS for code, math and images."""
    return highlight.css_for_pdf() + MATH_CSS


def css_for_anki() -> str:
    """Return the cards' CSS for code and images."""
    return highlight.css_for_anki() + MATH_CSS
