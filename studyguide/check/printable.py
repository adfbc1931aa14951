"""Characters the printed guide cannot print: read from the cmaps of the fonts its stylesheet names.

templates/pdf/print.css sets text in TeX Gyre Pagella, falling back character by character to
DejaVu, Noto CJK and (for emoji) the emoji font; code in DejaVu Sans Mono. `CHAIN` lists the same
fonts. A character none of them holds would print as an empty box: `--check` warns of it at its
line, with the Debian package that would print it.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from studyguide.errors import Problem
from studyguide.markup.math.fonts import installed
from studyguide.model import Guide, Node

# (fontconfig family, Debian package): the fonts of print.css's stacks, and emoji from fontconfig.
CHAIN = (
    ("TeX Gyre Pagella", "fonts-texgyre"),
    ("DejaVu Serif", "fonts-dejavu-core"),
    ("DejaVu Sans", "fonts-dejavu-core"),
    ("DejaVu Sans Mono", "fonts-dejavu-core"),
    ("Noto Serif CJK JP", "fonts-noto-cjk"),
    ("Noto Sans Mono CJK JP", "fonts-noto-cjk"),
    ("Noto Color Emoji", "fonts-noto-color-emoji"),
    ("Symbola", "fonts-symbola"),
)
CJK = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC", "FULLWIDTH", "HALFWIDTH", "KANBUN")
TEXT_KINDS = frozenset({"text", "code_inline", "fence"})
MAX_NAMED = 5  # characters named in one warning; the rest are counted


def font_files() -> dict[str, list[Path]]:
    """Return the files of each installed family of the chain, as fontconfig (which Pango asks) lists them."""
    wanted = {family for family, _ in CHAIN}
    files: dict[str, list[Path]] = {}
    for family, style, _, file in installed():
        if family in wanted and style in ("Regular", "Book"):  # the other styles hold the same characters
            files.setdefault(family, []).append(Path(file))
    return files


@functools.cache
def cmap(path: Path) -> frozenset[int]:
    """Return the code points one font file (the first font of a collection) maps to glyphs."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True, fontNumber=0) as font:
        return frozenset(font.getBestCmap() or {})


def missing(chars: set[str]) -> set[str]:
    """Return the characters that no installed font of the chain holds (fonts read only while some are left)."""
    left = {c for c in chars if printable(c)}
    files = font_files() if left else {}
    for family, _ in CHAIN:
        for path in files.get(family, []):
            if not left:
                return left
            held = cmap(path)
            left = {c for c in left if ord(c) not in held}
    return left


def printable(char: str) -> bool:
    """Tell whether a character needs a glyph: not ASCII, a space, a control, format or variation character."""
    if ord(char) < 0x80:
        return False
    category = unicodedata.category(char)
    return category[0] not in "CZ" and not 0xFE00 <= ord(char) <= 0xFE0F and char != "\u20e3"


def package(char: str) -> str:
    """Return the Debian package whose fonts print a character (by its script; Noto's core set otherwise)."""
    name = unicodedata.name(char, "")
    if any(word in name for word in CJK):
        return "fonts-noto-cjk"
    if unicodedata.category(char) == "So" and ord(char) >= 0x2190:
        return "fonts-noto-color-emoji"
    return "fonts-noto-core"


def installed_packages() -> set[str]:
    """Return the chain's Debian packages whose fonts fontconfig lists."""
    files = font_files()
    return {pkg for family, pkg in CHAIN if family in files}


def texts(guide: Guide) -> Iterator[tuple[Path, int, str]]:
    """Yield every printed text of the guide with its file and line: titles, answers, code."""
    for section in guide.sections:
        yield section.source.path, section.source.line, section.title
        for q in section.questions:
            yield q.source.path, q.source.line, q.title
            for tree in q.trees():
                yield from _node_texts(q.source.path, tree, tree.line or q.source.line)


def _node_texts(path: Path, node: Node, line: int) -> Iterator[tuple[Path, int, str]]:
    """Yield the text of a node and its descendants, each at the nearest line known."""
    line = node.line or line
    if node.kind in TEXT_KINDS:
        yield path, line, node.text
    elif node.kind == "image":
        yield path, line, node.attr("alt")
    for child in node.children:
        yield from _node_texts(path, child, line)


def unprintable(guide: Guide) -> list[Problem]:
    """Warn at its first line of every character the PDF's fonts cannot print: one warning a line and package."""
    found = list(texts(guide))
    absent = missing({c for _, _, text in found for c in text})
    if not absent:
        return []
    have = installed_packages()
    problems: list[Problem] = []
    for path, line, text in found:
        by_package: dict[str, list[str]] = {}
        for char in dict.fromkeys(c for c in text if c in absent):  # in the order they are written
            absent.discard(char)
            by_package.setdefault(package(char), []).append(char)
        for pkg, chars in by_package.items():
            fix = f"install the Debian package {pkg}" if pkg not in have else f"no font of {pkg} or the others has it"
            named = ", ".join(
                f"U+{ord(c):04X} '{c}' ({unicodedata.name(c, 'unnamed').lower()})" for c in chars[:MAX_NAMED]
            )
            more = f" and {len(chars) - MAX_NAMED} more" if len(chars) > MAX_NAMED else ""
            problems.append(Problem(path, line, f"{named}{more} would print as a box in the PDF: {fix}", "warning"))
    return problems
