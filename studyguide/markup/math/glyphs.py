"""The page's formula glyphs: each drawn once, at each size it is used, in one hidden block of the page.

ziamath draws a glyph as a `<symbol>` with a viewBox, placed by `<use x y width height>`; a page
of 50 questions places about 2,600 glyphs. Here each (glyph, size) becomes one `<g>` whose
transform does what the symbol's viewport did (scale and place it as SVG's default
`preserveAspectRatio="xMidYMid meet"` would), its baseline at y = 0, so a placement is only
`<use href x>` (and `y` off the baseline), and the outlines are written as relative path data:
the page's formulas take about half the bytes. No SVG library does this rewrite; it touches only
what ziamath writes (viewBox, width, height, path data), and leaves anything else as it is.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

PATH_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
OUTLINES = 4096  # path data rewritten once per process: a glyph's outline recurs in many formulas
ARITY = {"M": 2, "L": 2, "Q": 4, "C": 6, "Z": 0}  # the absolute commands ziamath writes, and their numbers


def compact_number(value: float, digits: int = 3) -> str:
    """Format a number compactly (to `digits` decimals, no trailing zeros)."""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@dataclass
class Glyphs:
    """The glyph definitions of one page, keyed by the glyph's drawing and its placement's transform."""

    defined: dict[str, str] = field(default_factory=dict)  # id -> the <g> element's markup
    ids: dict[tuple[str, str], str] = field(default_factory=dict)

    def share(self, root: ET.Element) -> None:
        """Move a formula SVG's glyph symbols into the shared definitions; its uses point at them."""
        symbols = {s.get("id", ""): s for s in root.findall("symbol")}
        for use in root.iter("use"):
            symbol = symbols.get(use.get("href", "")[1:])
            fit = placement(symbol, use) if symbol is not None else None
            if symbol is None or fit is None:
                continue
            scale, tx, ty = fit  # the glyph's baseline is drawn at the use's y (most glyphs sit on y = 0)
            transform = f"matrix({compact_number(scale, 4)} 0 0 {compact_number(scale, 4)} {compact_number(tx)} 0)"
            y = compact_number(float(use.get("y", "0")) + ty, 1)  # a tenth of a unit: a thousandth of an em
            use.set("x", compact_number(float(use.get("x", "0")), 1))
            if y == "0":
                use.attrib.pop("y", None)
            else:
                use.set("y", y)
            for element in symbol.iter():
                if element.get("d"):
                    element.set("d", relative(element.get("d", "")))
            drawing = "".join(ET.tostring(child, encoding="unicode") for child in symbol)
            key = (drawing, transform)
            if key not in self.ids:
                self.ids[key] = f"_g{len(self.ids) + 1}"  # question ids never start with "_"
                self.defined[self.ids[key]] = f'<g id="{self.ids[key]}" transform="{transform}">{drawing}</g>'
            for name in ("width", "height"):
                use.attrib.pop(name, None)
            use.set("href", f"#{self.ids[key]}")
        used = {use.get("href", "")[1:] for use in root.iter("use")}
        for symbol_id, symbol in symbols.items():
            if symbol_id not in used:
                root.remove(symbol)

    def markup(self) -> str:
        """Return every definition, in the order first used."""
        return "".join(self.defined.values())


def placement(symbol: ET.Element, use: ET.Element) -> tuple[float, float, float] | None:
    """Return the scale and offsets that draw a symbol's content where a `<use>` with width and height put it."""
    if symbol.get("preserveAspectRatio") is not None or not (use.get("width") and use.get("height")):
        return None
    try:
        vx, vy, vw, vh = (float(v) for v in symbol.get("viewBox", "").split())
        width, height = float(use.get("width", "")), float(use.get("height", ""))
    except ValueError:
        return None
    if vw <= 0 or vh <= 0:
        return None
    scale = min(width / vw, height / vh)
    if abs(width - vw * height / vh) < 0.02:  # a fit up to the rounding of width (ziamath writes 2 decimals)
        scale = height / vh
    spare_x = max(0.0, width - vw * scale) if abs(width - vw * scale) >= 0.02 else 0.0
    spare_y = max(0.0, height - vh * scale) if abs(height - vh * scale) >= 0.02 else 0.0
    tx = spare_x / 2 - vx * scale
    ty = spare_y / 2 - vy * scale
    return scale, tx, ty


def tenths(value: int) -> str:
    """Write a number given in tenths as briefly as SVG reads it: 5 -> '.5', -12 -> '-1.2', 30 -> '3'."""
    sign, whole, tenth = "-" if value < 0 else "", abs(value) // 10, abs(value) % 10
    return sign + (str(whole) if whole else "") + (f".{tenth}" if tenth else "" if whole else "0")


@functools.lru_cache(maxsize=OUTLINES)
def relative(d: str) -> str:
    """Rewrite absolute path data (M, L, Q, C, Z) as relative commands, to a tenth of a unit as ziamath's
    coordinates are after `compact_path`; the same points, in fewer bytes. Other path data is kept as it is."""
    tokens = PATH_TOKEN.findall(d)
    out: list[str] = []
    x = y = start_x = start_y = 0
    i = 0
    while i < len(tokens):
        command = tokens[i]
        i += 1
        if command not in ARITY:
            return d
        if command == "Z":
            out.append("z")
            x, y = start_x, start_y
            continue
        arity = ARITY[command]
        while i < len(tokens) and not tokens[i].isalpha():
            values = [round(float(t) * 10) for t in tokens[i : i + arity]]
            if len(values) < arity or any(t.isalpha() for t in tokens[i : i + arity]):
                return d
            i += arity
            moves = [v - (x if k % 2 == 0 else y) for k, v in enumerate(values)]
            if command == "L" and moves == [0, 0]:  # ziamath starts many outlines with a line of no length
                continue
            out.append("m" if command == "M" and not out or command == "M" and out[-1] == "z" else command.lower())
            out.append(numbers(moves))
            x, y = values[-2], values[-1]
            if command == "M":
                start_x, start_y, command = x, y, "L"  # more pairs after a move are lines
    return "".join(out)


def numbers(values: list[int]) -> str:
    """Join numbers given in tenths with the fewest separators SVG needs."""
    text = ""
    for value in values:
        number = tenths(value)
        last = text.split(" ")[-1].split("-")[-1]  # the digits of the number before
        needs = text and not number.startswith("-") and not (number.startswith(".") and "." in last)
        text += (" " if needs else "") + number
    return text
