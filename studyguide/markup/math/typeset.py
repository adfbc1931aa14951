"""One formula typeset by ziamath: TeX to MathML (latex2mathml), the MathML mended, laid out and drawn as SVG.

Before ziamath lays the MathML out, two things it would lose are mended: an operator that holds
elements (`\\mathrel{\\xrightarrow{...}}`: ziamath reads only an operator's own text) becomes a row
with a relation's spaces, and a token whose text the math font cannot draw (another script, an
emoji) becomes an `sg-text` element, shaped and drawn by `scripts`. `drawn` counts the characters
whose glyphs the SVG holds, so a test can compare what went in with what came out.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

from studyguide.markup.math.speedups import cheaper_drawing

MAX_FORMULA_CHARS = 600
# ziamath's time grows with the length and, without markup/math/speedups.py, about twofold with each
# level of nested groups: at these limits a formula is drawn in at most 0.13 s (worst of five shapes,
# measured; 0.5 to 0.9 s without the work-arounds). The real content's are 439 characters, 4 deep at most.
MAX_FORMULA_DEPTH = 5
TOKENS = ("mi", "mn", "mo", "mtext", "ms")
RELATION_SPACE = "0.2778em"  # TeX's thick space, on each side of a relation


class MathError(Exception):
    """A formula that cannot be rendered."""


def check_braces(tex: str, limit: int = MAX_FORMULA_DEPTH) -> None:
    """Raise MathError for unbalanced `{` `}` (ziamath would draw a stray brace instead) or groups nested too deep."""
    depth = deepest = 0
    for brace in re.findall(r"\\left\b|\\right\b|\\.|[{}]", tex):
        if brace in ("{", "\\left"):
            depth += 1
            deepest = max(deepest, depth)
        elif brace in ("}", "\\right"):
            depth -= 1
            if depth < 0:
                raise MathError("a '}' closes nothing" if brace == "}" else "a '\\right' closes nothing")
    if depth:
        raise MathError("a '{' (or '\\left') is never closed")
    if deepest > limit:
        written = "" if limit == MAX_FORMULA_DEPTH else " (with mhchem's LaTeX)"
        raise MathError(f"groups nested {deepest} deep{written}: more than the limit of {limit}")


@functools.cache
def math_font_characters(path: str | None) -> frozenset[int]:
    """Return the characters the math font (a file, or ziamath's own) holds."""
    import uharfbuzz as hb

    if path is None:
        import ziamath

        path = str(Path(ziamath.__file__).parent / "fonts" / "STIXTwoMath-Regular.ttf")
    return frozenset(hb.Face(hb.Blob.from_file_path(path)).unicodes)


def mathml(tex: str, display: bool, font: str | None) -> ET.Element:
    """Return a formula's MathML as ziamath reads it, mended (see the module's docstring)."""
    from ziamath.escapes import unescape
    from ziamath.tex import tex2mml
    from ziamath.zmath import denamespace

    from studyguide.markup.math import scripts

    root = denamespace(ET.fromstring(unescape(tex2mml(tex, inline=not display))))
    root.set("mathcolor", "currentColor")
    held = math_font_characters(font)
    for parent in root.iter():
        for index, child in enumerate(list(parent)):
            if child.tag == "mo" and len(child):
                parent[index] = _relation(child)
            elif child.tag in TOKENS and child.text and scripts.needs_shaping(child.text, held, child.tag == "mo"):
                child.tag = scripts.TAG
    return root


def _relation(operator: ET.Element) -> ET.Element:
    """Return an operator that holds elements as a row of them, spaced as a relation."""
    row = ET.Element("mrow")
    row.append(ET.Element("mspace", width=RELATION_SPACE))
    row.extend(list(operator))
    row.append(ET.Element("mspace", width=RELATION_SPACE))
    return row


def typeset(tex: str, display: bool, font: str | None, depth: int = MAX_FORMULA_DEPTH) -> Any:
    """Return ziamath's laid-out formula; raise MathError when it cannot be drawn."""
    from ziamath.zmath import Math

    check_braces(tex, depth)
    if not tex.strip():
        raise MathError("empty formula")
    try:
        with cheaper_drawing():  # the same layout, without ziamath's doubling with each level of groups
            formula = Math(mathml(tex, display, font), font=font)
        unknown = [el.text for el in formula.mathml.iter() if (el.text or "").startswith("\\")]
        if unknown:
            raise MathError(f"'{unknown[0]}' is unknown to the page and PDF's formula renderer (ziamath)")
        return formula
    except MathError:
        raise
    except Exception as exc:  # ziamath and latex2mathml raise many types; each is the formula's fault
        detail = str(exc).strip()
        name = f"{type(exc).__name__}{': ' + detail if detail else ''}"
        raise MathError(f"the page and PDF's formula renderer (ziamath) cannot draw it ({name})") from exc


def render(tex: str, display: bool, font: str | None = None, depth: int = MAX_FORMULA_DEPTH) -> str:
    """Render one formula to ziamath's standalone SVG; raise MathError when it cannot be rendered."""
    from studyguide.markup.math import scripts

    formula = typeset(tex, display, font, depth)
    missing = "".join(node.missing for node in _nodes(formula.node) if isinstance(node, scripts.ShapedText))
    if missing:
        chars = ", ".join(f"U+{ord(c):04X} '{c}'" for c in dict.fromkeys(missing))
        raise MathError(f"no font of the page and PDF's formulas holds {chars}: install one (fonts-noto-core)")
    with cheaper_drawing():
        return str(formula.svg())


def drawn(formula: Any) -> Counter[str]:
    """Return the characters whose glyphs a laid-out formula draws (an outline, not a font's empty box)."""
    from ziamath.drawable import Glyph, HLine

    from studyguide.markup.math import scripts

    found: Counter[str] = Counter()
    for node in _nodes(formula.node):
        parts = getattr(node.glyph, "glyphs", None) if isinstance(node, Glyph) else None  # a stretched glyph's pieces
        if isinstance(node, Glyph) and not node.phantom and node.glyph.index and (node.glyph.operators or parts):
            found.update(node.char)
        elif isinstance(node, scripts.Outline) and node.d:
            found.update(node.chars)
        elif isinstance(node, HLine) and not node.phantom:
            found.update("-")  # a run of hyphens in a text, drawn as one rule
    return found


def _nodes(node: Any) -> list[Any]:
    """Return a laid-out node and everything inside it."""
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(getattr(current, "nodes", []) or [])
    return found
