"""Words in any script inside formulas: shaped by HarfBuzz, in reading order, drawn as outlines in a font that has them.

ziamath draws a formula's text (`\\text{}`, `\\mathrm{}`...) with its math font, which holds Latin and
Greek only: Arabic, Hebrew, CJK, Cyrillic or an emoji came out as nothing. A token whose text the
math font cannot draw as written (a character it lacks, or a script that joins or runs right to
left) becomes an `sg-text` element of the formula's MathML, which this module lays out: split into
runs of one direction (the bidi algorithm's levels for one paragraph, sketched below: Python has
no library that gives the runs HarfBuzz must shape in logical order, python-bidi only reorders
whole strings), each run into pieces of one font (the first of `CHAIN` that holds the character,
fonts found through fontconfig as the PDF's text finds them), shaped by HarfBuzz (PyPI
`uharfbuzz`, pinned) and drawn as paths: the same bytes in the page and the PDF, whatever fonts
a reader has. A character no font holds is drawn as the first font's empty box and named by `missing`.
"""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ziafont.fonttypes import BBox
from ziamath.drawable import Drawable
from ziamath.nodes.mnode import Mnode

from studyguide.markup.math.fonts import Face, faces

TAG = "sg-text"
RTL = frozenset({"R", "AL"})
NUMBERS = frozenset({"EN", "AN"})


def needs_shaping(text: str, math_font: frozenset[int], operator: bool = False) -> bool:
    """Tell whether a token's text must be laid out here: it runs right to left, or holds a character
    the math font lacks (or, in a word, a mark that joins its letter). An operator (an accent, a
    stretchy bracket) only when the math font holds none of it: ziamath draws operators its own way."""
    chars = [c for c in text if not c.isspace()]
    lacking = [ord(c) not in math_font for c in chars]
    if operator:
        return bool(chars) and all(lacking)
    marks = len(chars) > 1 and any(unicodedata.category(c).startswith("M") for c in chars)
    return marks or any(lacking) or any(unicodedata.bidirectional(c) in RTL for c in chars)


def runs(text: str) -> list[tuple[str, bool]]:
    """Split a text into runs of one direction, in visual order: (the run's text in logical order, right to left).

    The Unicode bidi algorithm for one paragraph without embeddings (TeX text has none): the text's
    direction is its first strong character's; numbers after right-to-left letters stay inside
    their run, reading left to right; neutral characters take their neighbours' direction when both
    agree, else the text's; then runs are reversed level by level (rule L2).
    """
    levels = _levels(text)
    order = list(range(len(text)))
    for level in range(max(levels, default=0), 0, -1):
        at = 0
        while at < len(order):
            end = at
            while end < len(order) and levels[order[end]] >= level:
                end += 1
            order[at:end] = reversed(order[at:end])
            at = max(end, at + 1)
    found: list[tuple[list[int], int]] = []
    for index in order:
        if found and found[-1][1] == levels[index] and abs(found[-1][0][-1] - index) == 1:
            found[-1][0].append(index)
        else:
            found.append(([index], levels[index]))
    return [("".join(text[i] for i in sorted(indices)), level % 2 == 1) for indices, level in found]


def _levels(text: str) -> list[int]:
    """Return each character's bidi level: 0 or 1 for left-to-right or right-to-left text, 2 for what is nested."""
    kinds: list[str | None] = []
    for char in text:
        bidi = unicodedata.bidirectional(char)
        if bidi == "NSM" and kinds:  # a mark takes its base's direction (W1)
            kinds.append(kinds[-1])
        else:
            kinds.append("R" if bidi in RTL else "L" if bidi == "L" else "N" if bidi in NUMBERS else None)
    rtl = next((k == "R" for k in kinds if k in ("L", "R")), False)
    base = "R" if rtl else "L"
    previous = base
    for at, kind in enumerate(kinds):  # a number reads as the letters before it direct (W2, W7)
        if kind is not None and kind != "N":
            previous = kind
        elif kind == "N" and previous == "L":
            kinds[at] = "L"
    acting = ["R" if k == "N" else k for k in kinds]  # numbers count as right to left for neutrals (N1)
    before, after = _neighbours(acting, base), _neighbours(acting[::-1], base)[::-1]
    for at, kind in enumerate(kinds):
        if kind is None:
            kinds[at] = before[at] if before[at] == after[at] else base
    table = {"L": 2, "R": 1, "N": 2} if rtl else {"L": 0, "R": 1, "N": 2}
    return [table[kind or base] for kind in kinds]


def _neighbours(kinds: list[str | None], base: str) -> list[str]:
    """Return, for each position, the last direction before it (the base's at the start)."""
    found, last = [], base
    for kind in kinds:
        found.append(last)
        last = kind or last
    return found


def pieces(text: str, bold: bool) -> Iterator[tuple[str, Face | None]]:
    """Split a run into pieces of one font each (marks and joiners stay with their base character)."""
    chain = faces()[bold]
    current: tuple[str, Face | None] | None = None
    for char in text:
        joins = unicodedata.category(char) in ("Mn", "Mc", "Me", "Cf") or 0xFE00 <= ord(char) <= 0xFE0F
        face_now = current[1] if current else None  # a space or a stop stays in the font of the word before it
        joins = joins or (
            face_now is not None and unicodedata.category(char)[0] in "ZP" and ord(char) in face_now.unicodes
        )
        face = current[1] if joins and current else next((f for f in chain if ord(char) in f.unicodes), None)
        if current is not None and (face is current[1] or joins):
            current = (current[0] + char, current[1])
            continue
        if current is not None:
            yield current
        current = (char, face)
    if current is not None:
        yield current


@dataclass
class Outline(Drawable):
    """One shaped glyph: its outline in font units, placed at a size; `chars` the text it draws."""

    d: str
    scale: float
    dx: float
    dy: float
    chars: str
    colour: str

    def __post_init__(self) -> None:
        self.bbox = BBox(0, 0, 0, 0)

    def draw(self, x: float, y: float, svg: ET.Element) -> tuple[float, float]:
        """Append the glyph's path, scaled from font units with the y axis turned up."""
        if self.d:
            s = f"{self.scale:.6g}"
            path = ET.SubElement(
                svg, "path", d=self.d, transform=f"matrix({s} 0 0 -{s} {x + self.dx:.3f} {y - self.dy:.3f})"
            )
            path.set("fill", self.colour)
        return x, y


class ShapedText(Mnode, tag=TAG):
    """A formula's token whose text is shaped here (ziamath lays it out as one box, as it does an <mtext>)."""

    def __init__(self, element: ET.Element, parent: Any, **kwargs: Any) -> None:
        super().__init__(element, parent, **kwargs)
        self.phantom = bool(kwargs.get("phantom"))
        self.string = element.text or ""
        self.missing = ""  # characters no font of the chain holds
        self._setup(**kwargs)

    def _setup(self, **kwargs: Any) -> None:
        from fontTools.pens.svgPathPen import SVGPathPen

        bold = "bold" in self.element.get("mathvariant", "") or self.style.mathvariant.bold
        x, top, bottom = 0.0, 0.0, 0.0
        colour = str(self.style.mathcolor or "currentColor")
        core = self.string.strip()
        start = len(self.string) - len(self.string.lstrip())
        lead, trail = self.string[:start], self.string[start + len(core) :]
        # Spaces at either end stay where TeX puts them: on that side in the formula, which runs left to right.
        for run, rtl in [*([(lead, False)] if lead else []), *runs(core), *([(trail, False)] if trail else [])]:
            found = list(pieces(run, bold))
            for text, face in reversed(found) if rtl else found:  # a right-to-left run's pieces, right to left
                face = face or faces()[bold][0]
                if not any(ord(c) in face.unicodes for c in text if not c.isspace()):
                    self.missing += "".join(c for c in text if not c.isspace())
                font, scale = face.font, self.glyphsize / face.font.face.upem
                for info, position, chars in _shaped(font, text, rtl):
                    pen = SVGPathPen(None)
                    font.draw_glyph_with_pen(info.codepoint, pen)
                    extents = font.get_glyph_extents(info.codepoint)
                    if extents is not None:
                        top = max(top, extents.y_bearing * scale)
                        bottom = min(bottom, (extents.y_bearing + extents.height) * scale)
                    d = "" if self.phantom else pen.getCommands()
                    dx, dy = x + position.x_offset * scale, position.y_offset * scale
                    self.nodes.append(Outline(d, scale, dx, dy, chars if info.codepoint else "", colour))
                    self.nodexy.append((0.0, 0.0))
                    x += position.x_advance * scale
        self.bbox = BBox(0, x, bottom, top)


def _shaped(font: Any, text: str, rtl: bool) -> Iterator[tuple[Any, Any, str]]:
    """Shape one piece of one direction and font; yield each glyph, its position and the characters it draws."""
    import uharfbuzz as hb

    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    buffer.direction = "rtl" if rtl else "ltr"
    hb.shape(font, buffer)
    infos, positions = buffer.glyph_infos, buffer.glyph_positions
    data = text.encode("utf-32-le")
    starts = sorted({info.cluster for info in infos}) + [len(data) // 4]
    seen: set[int] = set()
    for info, position in zip(infos, positions, strict=True):
        cluster = info.cluster
        end = next(s for s in starts if s > cluster) if cluster < starts[-1] else cluster
        chars = "" if cluster in seen else text[cluster:end]
        seen.add(cluster)
        yield info, position, chars
