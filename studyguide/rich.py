"""Math, code and images per output: each output's Hooks, what they collect, and their CSS."""

from __future__ import annotations

from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from . import highlight
from .errors import ContentError, Problem
from .markup import Hooks
from .mathsvg import Formulas, MathCache, MathError, cache_folder
from .media import Image, collect_images
from .model import Guide, Node

if TYPE_CHECKING:
    from .renderers.base import Options

MATH_CSS = """\
.math.display { margin: 0.6em 0; text-align: center; }
img.content-image { max-width: 100%; height: auto; }
"""
# The page scrolls a formula wider than the column; WeasyPrint knows no overflow-x.
SCROLL_CSS = ".math.display { overflow-x: auto; overflow-y: hidden; }\n"


def math_nodes(guide: Guide) -> Iterator[tuple[Path, Node]]:
    """Yield every formula node of the guide with the file it is written in."""
    for question, node in guide.nodes("math_inline", "math_block"):
        yield question.source.path, node


def render_formulas(guide: Guide, cache: MathCache) -> dict[tuple[str, bool], str]:
    """Render every formula once (through the cache); raise ContentError naming each bad one at path:line."""
    rendered: dict[tuple[str, bool], str] = {}
    problems: list[Problem] = []
    for path, node in math_nodes(guide):
        key = (node.text, node.kind == "math_block")
        if key in rendered:
            continue
        try:
            rendered[key] = cache.svg(*key)
        except MathError as exc:
            mark = "$$" if key[1] else "$"
            problems.append(Problem(path, node.line, f"formula {mark}{node.text}{mark} cannot be rendered: {exc}"))
    if problems:
        raise ContentError(problems)
    return rendered


def open_cache(options: Options | None) -> MathCache:
    """Return the build's formula cache: the one in the options, else one in the default folder."""
    cache = getattr(options, "math_cache", None)
    return cache if isinstance(cache, MathCache) else MathCache(cache_folder())


def image_tag(src: str, alt: str) -> str:
    """Return an escaped <img> element."""
    return f'<img class="content-image" src="{escape(src)}" alt="{escape(alt)}">'


def anki_math(tex: str, display: bool) -> str:
    """Keep a formula for Anki's built-in MathJax, which reads only \\( \\) and \\[ \\]."""
    return escape(f"\\[{tex}\\]" if display else f"\\({tex}\\)")


def hooks_for_anki(guide: Guide) -> tuple[Hooks, dict[str, bytes]]:
    """Return the card hooks and the media files for the .apkg (flat, content-hashed names)."""
    images = collect_images(guide)

    def image(src: str, alt: str) -> str:
        return image_tag(images[src].name, alt)

    media = {img.name: img.data for img in images.values()}
    return Hooks(math=anki_math, code=highlight.highlight, image=image), media


def _svg_hooks(guide: Guide, options: Options | None, shared: bool, url: str) -> tuple[Hooks, Formulas]:
    """Return hooks that draw formulas as SVG and images by data: URI or file URL."""
    images, rendered = prepare(guide, open_cache(options))
    formulas = Formulas(shared=shared)

    def math(tex: str, display: bool) -> str:
        return formulas.place(rendered[(tex, display)], tex, display)

    def image(src: str, alt: str) -> str:
        found = images[src]
        return image_tag(found.data_uri() if url == "data" else found.file_url(), alt)

    return Hooks(math=math, code=highlight.highlight, image=image), formulas


def hooks_for_page(guide: Guide, options: Options | None = None) -> tuple[Hooks, Formulas]:
    """Return the page hooks; after rendering, `Formulas.defs()` is the one hidden glyph block."""
    return _svg_hooks(guide, options, shared=True, url="data")


def hooks_for_pdf(guide: Guide, options: Options | None = None) -> tuple[Hooks, Formulas]:
    """Return the print hooks: self-contained SVGs (WeasyPrint draws each alone) and file URLs."""
    return _svg_hooks(guide, options, shared=False, url="file")


def css_for_page() -> str:
    """Return the page's CSS for code, math and images."""
    return highlight.css_for_page() + MATH_CSS + SCROLL_CSS


def css_for_pdf() -> str:
    """Return the PDF's CSS for code, math and images."""
    return highlight.css_for_pdf() + MATH_CSS


def css_for_anki() -> str:
    """Return the cards' CSS for code and images."""
    return highlight.css_for_anki() + MATH_CSS


def prepare(guide: Guide, cache: MathCache) -> tuple[dict[str, Image], dict[tuple[str, bool], str]]:
    """Read every image and render every formula; raise one ContentError listing all their problems."""
    problems: list[Problem] = []
    images: dict[str, Image] = {}
    rendered: dict[tuple[str, bool], str] = {}
    try:
        images = collect_images(guide)
    except ContentError as exc:
        problems.extend(exc.problems)
    try:
        rendered = render_formulas(guide, cache)
    except ContentError as exc:
        problems.extend(exc.problems)
    if problems:
        raise ContentError(problems)
    return images, rendered
