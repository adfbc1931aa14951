"""LaTeX to SVG for the PDF and the page: ziamath, a disk cache, and glyphs defined once per document."""

from __future__ import annotations

import base64
import functools
import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from studyguide.markup.inert import svg_inert
from studyguide.markup.math import chem, fonts
from studyguide.markup.math.glyphs import OUTLINES, PATH_TOKEN, Glyphs
from studyguide.markup.math.glyphs import compact_number as _number
from studyguide.markup.math.typeset import MAX_FORMULA_CHARS, MAX_FORMULA_DEPTH, MathError, check_braces, render
from studyguide.markup.math.vocab import for_ziamath, mathjax_problem
from studyguide.store.cache import Cache

__all__ = ["MathError", "draw", "render", "Formulas", "math_font", "scale"]

SVG_NS = "http://www.w3.org/2000/svg"
# Bump when what render() returns changes, so old cache entries are no longer read.
RENDER_VERSION = "5"
FONT_PX = 24.0  # ziamath's default size; SVG sizes are divided by it to scale with the text (em)
# The PDF's text is TeX Gyre Pagella: its formulas are drawn in the matching math font, where Debian's
# fonts-texgyre-math puts it. Without it, ziamath's own STIX Two Math (its x-height is smaller: scaled).
MATH_FONT = Path("/usr/share/texmf/fonts/opentype/public/tex-gyre-math/texgyrepagella-math.otf")
SCALE = {True: 1.0, False: 1.1}  # by whether the math font is TeX Gyre Pagella Math
NUMBER_EM = r"-?\d+(?:\.\d+)?em"
IMAGE_STYLE = re.compile(f"width:{NUMBER_EM};height:{NUMBER_EM};vertical-align:{NUMBER_EM}")  # a PDF formula's CSS


@functools.cache
def math_font() -> tuple[str | None, str]:
    """Return the math font file ziamath draws with (None: its bundled STIX Two Math) and a digest for cache keys."""
    if MATH_FONT.is_file():
        return str(MATH_FONT), f"{MATH_FONT.name} {hashlib.sha256(MATH_FONT.read_bytes()).hexdigest()}"
    return None, "ziamath default"


def scale() -> float:
    """Return the size of a formula's em against the text's."""
    return SCALE[math_font()[0] is not None]


def parse_svg(text: str) -> ET.Element:
    """Parse an SVG with plain tag names (no global namespace registration: WeasyPrint shares ElementTree)."""
    root = ET.fromstring(text)
    for element in root.iter():
        element.tag = element.tag.rsplit("}", 1)[-1]
    root.set("xmlns", SVG_NS)
    return root


# Commands that act in a reader's MathJax (Anki's cards, which load the full TeX package set without
# the `safe` extension): links, styles, classes and ids, boxes with a style, loading extensions or
# changing options, raw characters and data attributes, and building a command's name from pieces.
# A formula holding one is refused at its line.
ACTING = frozenset(
    r"\href \url \style \class \cssId \require \unicode \data \html \mmlToken \bbox \setOptions \csname".split()
)
COMMAND = re.compile(r"\\(?:[A-Za-z]+|.)")


def acting_command(tex: str) -> str | None:
    """Return the first command in a formula that would act in MathJax (a link, a style, a load), or None."""
    return next((c for c in COMMAND.findall(tex) if c in ACTING), None)


def draw(tex: str, display: bool, cache: Cache, svg_needed: bool = True) -> str:
    """Return a formula's SVG, drawn once across builds (the cache keeps SVG text); raise MathError.

    Without `svg_needed` (a build of the deck alone) a formula this code has drawn before, whose
    SVG is in the cache, is valid: its entry is not read ('' is returned).
    """
    if len(tex) > MAX_FORMULA_CHARS:
        raise MathError(f"{len(tex)} characters: more than the limit of {MAX_FORMULA_CHARS}")
    acting = acting_command(tex)
    if acting is not None:
        raise MathError(f"'{acting}' is not allowed: it would make the formula act (link, style, load) in Anki")
    for_cards = mathjax_problem(tex)
    if for_cards is not None:
        raise MathError(for_cards)
    check_braces(tex)
    used = f"font {math_font()[1]}" + ("" if tex.isascii() else f" text {fonts.fonts_digest()}")
    key = cache.key("math", f"render {RENDER_VERSION}\0{used}\0display {int(display)}\0", tex)
    if not svg_needed and cache.has("math", key):
        return ""
    stored = cache.get("math", key)
    if stored is not None:
        svg = stored.decode("utf-8", errors="replace")
        if svg.startswith("<svg") and svg.endswith("</svg>") and svg_inert(svg):  # else drawn anew
            return svg
    drawing, depth = for_drawing(tex, cache)
    svg = render(drawing, display, math_font()[0], depth)
    cache.put("math", key, svg.encode())
    return svg


# mhchem's LaTeX is about five times the length of what the author wrote, and nests deeper (an arrow
# with conditions: 5 levels). ziamath's time grows with both: at these limits a formula of chemistry
# is drawn in about 10 s (measured: 717 characters, 7 deep, 9.4 s), and cached after.
CHEMISTRY_DEPTH = 2
MAX_CHEMISTRY_CHARS = 800


def for_drawing(tex: str, cache: Cache | None = None) -> tuple[str, int]:
    """Return a formula as ziamath draws it (chemistry translated) and the nesting its groups may reach."""
    tex = for_ziamath(tex)
    if not chem.has_chemistry(tex):
        return tex, MAX_FORMULA_DEPTH
    try:
        latex = chem.for_ziamath(chem.translate(tex, cache))
    except chem.ChemError as exc:
        raise MathError(str(exc)) from None
    if len(latex) > MAX_CHEMISTRY_CHARS:
        message = f"mhchem's LaTeX for it has {len(latex)} characters: more than the limit of {MAX_CHEMISTRY_CHARS}"
        raise MathError(message + "; split the formula")
    return latex, MAX_FORMULA_DEPTH + CHEMISTRY_DEPTH


GEOMETRY = ("x", "y", "width", "height", "x1", "y1", "x2", "y2")


@functools.lru_cache(maxsize=OUTLINES)
def compact_path(d: str) -> str:
    """Rewrite SVG path data with one decimal and no needless spaces (glyphs are ~50 units tall)."""
    out: list[str] = []
    previous_number = False
    for token in PATH_TOKEN.findall(d):
        if token.isalpha():
            out.append(token)
            previous_number = False
            continue
        number = _number(float(token), 1)
        if previous_number and not number.startswith("-"):
            out.append(" ")
        out.append(number)
        previous_number = True
    return "".join(out)


def compact(root: ET.Element) -> None:
    """Shorten the numbers of every path and placed glyph in an SVG tree."""
    for element in root.iter():
        if element.get("d"):
            element.set("d", compact_path(element.get("d", "")))
        for name in GEOMETRY:
            value = element.get(name)
            if value is not None and PATH_TOKEN.fullmatch(value):
                element.set(name, _number(float(value), 2))


@dataclass
class Formulas:
    """The formulas of one document, with glyph symbols defined once.

    shared=True (the page): every glyph goes once into one hidden defs block, `defs()`.
    shared=False (the PDF): each distinct formula becomes one SVG image with its own glyphs, named
    by a data: URL, so WeasyPrint reads it once however often the formula occurs.
    Either way a formula that occurs again reuses the HTML made the first time.
    """

    shared: bool = True
    scale: float = 1.0  # the formulas' size against the text's, beyond the math font's own (scale())
    symbols: dict[str, str] = field(default_factory=dict)  # glyphs ziamath placed in a way `glyphs` leaves alone
    glyphs: Glyphs = field(default_factory=Glyphs)
    count: int = 0
    placed: dict[tuple[str, bool, str], str] = field(default_factory=dict)  # each distinct formula is drawn once
    cache: Cache | None = None  # the PDF's formula images are kept across builds

    def place(self, raw: str, tex: str, display: bool, title: str = "") -> str:
        """Return the HTML for one formula: inline SVG (shared glyphs) or an SVG image with alt text.

        `title`: what it is named (its TeX unless given: a piece of a formula names what the author wrote).
        """
        self.count += 1
        key = (tex, display, title)
        if key not in self.placed:
            named = title or tex
            self.placed[key] = (
                self._inline(raw, named, display) if self.shared else self._image(raw, tex, display, named)
            )
        return self.placed[key]

    def _image(self, raw: str, tex: str, display: bool, title: str) -> str:
        """Return an <img> of one formula's standalone SVG, sized in em like the inline one."""
        svg, style = self._alone(raw, tex, display, title)
        data = base64.b64encode(svg.encode("ascii")).decode("ascii")
        kind = "math-display" if display else "math-inline"
        img = f'<img class="{kind}" alt="{escape(title)}" style="{style}" src="data:image/svg+xml;base64,{data}">'
        return f'<div class="math display">{img}</div>' if display else img

    def _alone(self, raw: str, tex: str, display: bool, title: str) -> tuple[str, str]:
        """Return one formula's standalone SVG (ASCII) and its size and alignment as CSS, kept in the cache.

        A cached pair is used only when it has that shape: the SVG goes into a data: URL and must
        be inert (markup/inert.py: no script, nothing it loads), the CSS must match IMAGE_STYLE.
        """
        cache, key = self.cache, ""
        if cache is not None:
            head = f"image\0font {math_font()[1]}\0scale {self.scale}\0display {int(display)}\0"
            key = cache.key("math", head, tex, raw) if title == tex else cache.key("math", head, tex, raw, title)
            found = cache.get_json("math", key)
            if isinstance(found, list) and len(found) == 2 and all(isinstance(v, str) for v in found):
                svg, style = found
                shaped = svg.startswith("<svg") and svg.endswith("</svg>") and svg.isascii()
                if shaped and IMAGE_STYLE.fullmatch(style) and svg_inert(svg):
                    return svg, style
        root = parse_svg(self._inline(raw, title, display, standalone=True))
        style = f"width:{root.get('width')};height:{root.get('height')};{root.get('style', '')}"
        for name in ("width", "height", "style", "class", "role", "focusable"):
            root.attrib.pop(name, None)
        svg = ET.tostring(root).decode("ascii")  # characters beyond ASCII as references
        if cache is not None:
            cache.put_json("math", key, [svg, style])
        return svg, style

    def _inline(self, raw: str, tex: str, display: bool, standalone: bool = False) -> str:
        """Return one formula as an SVG element whose glyphs point at shared (or its own) ids."""
        root = parse_svg(raw)
        compact(root)
        renamed: dict[str, str] = {}
        for symbol in root.findall("symbol"):
            old = symbol.attrib.pop("id", "")
            digest = hashlib.sha256(ET.tostring(symbol)).hexdigest()[:12]
            new = f"mg-{digest}"
            renamed[old] = new
            symbol.set("id", new)
        for use in root.iter("use"):
            href = use.get("href", "")
            if href.startswith("#") and href[1:] in renamed:
                use.set("href", "#" + renamed[href[1:]])
        if self.shared:
            self.glyphs.share(root)
            for symbol in root.findall("symbol"):  # one ziamath placed otherwise: defined once as it is
                root.remove(symbol)
                self.symbols.setdefault(symbol.get("id", ""), ET.tostring(symbol, encoding="unicode"))
        else:  # its own glyphs, drawn without a viewport each (WeasyPrint clips and scales every one)
            own = Glyphs()
            own.share(root)
            if own.defined:
                root.insert(0, parse_svg(f'<defs xmlns="{SVG_NS}">{own.markup()}</defs>'))
        if all(use.get("fill") == "currentColor" for use in root.iter("use")):
            for use in root.iter("use"):
                del use.attrib["fill"]
            if not self.shared:  # the page's stylesheet fills its formulas with the text's colour
                root.set("fill", "currentColor")
        x, y, width, height = (float(v) for v in root.get("viewBox", "0 0 0 0").split())
        em = self.scale * scale() / FONT_PX
        root.set("width", _number(width * em) + "em")
        root.set("height", _number(height * em) + "em")
        root.set("style", f"vertical-align:{_number(-(y + height) * em)}em")
        root.set("class", "math-display" if display else "math-inline")
        root.set("role", "img")
        title = ET.Element("title")
        title.text = tex
        root.insert(0, title)
        svg = ET.tostring(root, encoding="unicode")
        if standalone:
            return svg
        # inline in HTML: the parser knows SVG without a namespace declaration
        svg = svg.replace(f' xmlns="{SVG_NS}"', "", 1)
        return f'<div class="math display">{svg}</div>' if display else svg

    def defs(self) -> str:
        """Return the hidden block that defines every shared glyph once ('' when there is none)."""
        if not self.symbols and not self.glyphs.defined:
            return ""
        body = self.glyphs.markup() + "".join(self.symbols[key] for key in sorted(self.symbols))
        return (
            f'<svg xmlns="{SVG_NS}" width="0" height="0" aria-hidden="true" focusable="false" '
            f'style="position:absolute;width:0;height:0;overflow:hidden"><defs>{body}</defs></svg>'
        )
