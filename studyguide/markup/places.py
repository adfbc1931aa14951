"""Placing what validation drew and read: formulas as SVG, images by data: URI or file URL, code for paper.

Each output builds its own `Hooks` from these (in its renderer); nothing here knows a format.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

from studyguide.markup import highlight
from studyguide.markup.html import Hooks
from studyguide.markup.math.split import drawn_pieces, pieces
from studyguide.markup.math.svg import Formulas
from studyguide.stages import Resources
from studyguide.store.cache import Cache

MATH_CSS = """\
.math.display { margin: 0.6em 0; text-align: center; }
img.content-image { max-width: 100%; height: auto; }
"""


# An inline formula's size and its depth below the line, as Formulas writes them on its <svg>.
SVG_WIDTH = re.compile(r'^<svg [^>]*?\bwidth="([\d.]+)em"')
SVG_DEPTH = re.compile(r'^<svg [^>]*?\bstyle="(vertical-align:-?[\d.]+em)"')


def scrolling(svg: str, wider_than: float) -> str:
    """Return an inline formula wider than `wider_than` em in a box of its own that scrolls sideways.

    The box stands where the formula stood: its baseline is its bottom (it scrolls), moved down by
    the formula's depth. Narrower formulas, most of them, stay as they are.
    """
    width, depth = SVG_WIDTH.match(svg), SVG_DEPTH.match(svg)
    if width is None or depth is None or float(width.group(1)) <= wider_than:
        return svg
    return f'<span class="math-scroll" style="{depth.group(1)}">{svg}</span>'


def split_formula(placed: list[str]) -> str:
    """Return the pieces of one inline formula, in order left to right in every language (a line may break between).

    The last piece is a span of its own: glued to the punctuation after the formula (`.math-tail`), it stays on
    that punctuation's line. Chromium breaks after an atomic inline (an SVG, MathJax's box) where its own
    parent allows it, whatever the common ancestor of it and the comma says.
    """
    *first, last = placed
    return f'<span class="math-split" dir="ltr">{"".join(first)}<span class="math-last">{last}</span></span>'


def image_tag(src: str, alt: str) -> str:
    """Return an escaped <img> element."""
    return f'<img class="content-image" src="{escape(src)}" alt="{escape(alt)}">'


def svg_hooks(
    resources: Resources,
    shared: bool,
    inline_images: bool,
    scale: float = 1.0,
    cache: Cache | None = None,
    scroll_em: float = 0.0,
) -> tuple[Hooks, Formulas]:
    """Return hooks that place the drawn formulas as SVG and images by data: URI (inline) or file URL.

    `shared`: formulas refer to one hidden block of glyphs (`Formulas.defs()`), as on a page; else
    each SVG stands alone (a PDF layout draws each alone; then kept in `cache`). `scroll_em`: an
    inline formula (or piece of one) wider than this scrolls in a box of its own (a screen's).
    """
    formulas = Formulas(shared=shared, scale=scale, cache=cache)
    drawn, images = resources.formulas, resources.images

    def inline(tex: str, title: str = "") -> str:
        placed = formulas.place(drawn[(tex, False)], tex, False, title)
        return scrolling(placed, scroll_em) if scroll_em else placed

    def math(tex: str, display: bool) -> str:
        if display:
            return formulas.place(drawn[(tex, True)], tex, True)
        found = drawn_pieces(tex)
        if len(found) == 1:
            return inline(tex)
        return split_formula([inline(piece, shown.strip()) for piece, shown in zip(found, pieces(tex), strict=True)])

    def image(src: str, alt: str) -> str:
        found = images[src]
        return image_tag(found.data_uri() if inline_images else found.file_url(), alt)

    return Hooks(math=math, code=highlight.highlight, image=image, diagram=diagram_hook(resources)), formulas


def diagram_hook(resources: Resources) -> Callable[[str], str]:
    """Return the hook that places a diagram's drawing (made safe when it was drawn) where its source stood."""
    return lambda source: f'<div class="diagram">{resources.diagrams[source]}</div>'


# A word with a capital after its first letter: a name (PostgreSQL, DynamoDB, gRPC) or an acronym (NIST).
NAME = re.compile(r"\b\w+[A-Z]\w*")


def printed_text(text: str) -> str:
    """Return text for paper: escaped, each name in a span the stylesheet keeps from hyphenation ("Postgr-eSQL")."""
    escaped = escape(text)
    return (
        NAME.sub(lambda match: f'<span class="name">{match.group()}</span>', escaped)
        if NAME.search(escaped)
        else escaped
    )


# A paragraph, whole (text is escaped: "<p>" and "</p>" only ever come from the markup), and what makes a line
# of it unbreakable where a justified line would open wide gaps: formulas, code, an address.
PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
UNBREAKABLE = re.compile(r'class="math-(?:inline|split)"|<code>|class="url"')


def paper_blocks(html: str) -> str:
    """Return answer HTML set for paper: a paragraph holding a formula, code or an address ragged (`p.ragged`),
    each list item that opens with a paragraph marked (`li.lead`), so print.css puts its number on that line.

    Justified, such a paragraph opens gaps of many spaces wherever an unbreakable piece moves to the next
    line. WeasyPrint sets a list's numbers at the top of the item, above the baseline of a first line
    made tall by a formula; a number placed in the paragraph itself sits on its baseline.
    """
    html = PARAGRAPH.sub(
        lambda m: f'<p class="ragged">{m.group(1)}</p>' if UNBREAKABLE.search(m.group(1)) else m.group(), html
    )
    return html.replace("<li><p", '<li class="lead"><p')


def printed_checkbox(checked: bool, done: str = "done", to_do: str = "to do") -> str:
    """Print a task list's box as a ballot box character (paper has no form fields), named for screen readers."""
    label, box = (done, "☑") if checked else (to_do, "☐")
    return f'<span class="task" role="img" aria-label="{escape(label)}">{box}</span>'


# A code block's opening (Pygments puts an empty span before <code>), its lines, and its end.
CODE_BLOCK = re.compile(r"(<pre[^>]*>(?:<span></span>)?(?:<code[^>]*>)?)(.*?)((?:</code>)?</pre>)", re.S)
TAG = re.compile(r"<[^>]*>")
HANG = 2  # columns a wrapped code line sits right of its own indentation


def hanging_lines(html: str) -> str:
    """Make each line of a code block a block whose wrapped part hangs under its own indentation (paper only).

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


def printed_code(text: str, lang: str) -> str:
    """Return a code block for paper: highlighted, each line hanging under its own indentation."""
    return hanging_lines(highlight.highlight(text, lang))
