r"""Chemistry in formulas: mhchem's `\ce{...}` and `\pu{...}` for the page and the PDF.

ziamath knows no mhchem, so each `\ce`/`\pu` is translated into plain LaTeX by mhchem's own parser,
the one MathJax and KaTeX use: npm `mhchemparser` 4.2.1, vendored byte for byte in
`data/mhchemParser.js` (tests/test_notation.py checks it against the npm package) and run in-process
in QuickJS (PyPI `quickjs-ng`), one engine per process, made when the first formula needs it.
Translations are kept in the cache (`chem` namespace), keyed by mhchem's version and the input.
The cards keep `\ce` as written: Anki's MathJax loads mhchem itself.

mhchem writes a few constructs for MathJax that ziamath does not draw; `for_ziamath` rewrites them
into what it draws (each rule below says what it gives up).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from studyguide.store.cache import Cache

VENDOR = Path(__file__).parent / "data" / "mhchemParser.js"
MHCHEM_VERSION = "4.2.1"
CHEMISTRY = re.compile(r"\\(ce|pu)(?![A-Za-z])")
MAX_NESTED = 4  # a \ce inside $...$ inside a \ce: translated again, this deep at most
JS_MEMORY = 64 * 1024 * 1024  # the engine's heap: mhchem needs a few hundred KiB for the longest formula
JS_SECONDS = 5  # a guard only: the longest formula allowed (600 characters) translates in milliseconds


class ChemError(Exception):
    """A `\\ce` or `\\pu` that mhchem cannot read."""


def has_chemistry(tex: str) -> bool:
    """Tell whether a formula holds `\\ce` or `\\pu`."""
    return ("\\ce" in tex or "\\pu" in tex) and CHEMISTRY.search(tex) is not None


def group(tex: str, start: int) -> tuple[str, int] | None:
    """Return the braced group that starts at `start` (after spaces) and the index after it, or None."""
    at = start
    while at < len(tex) and tex[at] == " ":
        at += 1
    if at >= len(tex) or tex[at] != "{":
        return None
    depth = 0
    index = at
    while index < len(tex):
        char = tex[index]
        if char == "\\":
            index += 2
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return tex[at + 1 : index], index + 1
        index += 1
    return None


def translate(tex: str, cache: Cache | None = None) -> str:
    """Return a formula with every `\\ce{...}` and `\\pu{...}` replaced by mhchem's LaTeX; raise ChemError."""
    for _ in range(MAX_NESTED):
        match = CHEMISTRY.search(tex)
        if match is None:
            return tex
        out, at = [], 0
        for match in CHEMISTRY.finditer(tex):
            if match.start() < at:  # inside an argument just translated
                continue
            found = group(tex, match.end())
            if found is None:
                raise ChemError(f"write \\{match.group(1)}{{...}} with its argument in braces")
            body, end = found
            out.append(tex[at : match.start()] + _cached(match.group(1), body, cache))
            at = end
        tex = "".join(out) + tex[at:]
    if CHEMISTRY.search(tex):
        raise ChemError(f"\\ce or \\pu nested more than {MAX_NESTED} deep")
    return tex


def _cached(kind: str, body: str, cache: Cache | None) -> str:
    """Return mhchem's LaTeX for one argument, from the cache when it was translated before."""
    key = cache.key("chem", f"mhchem {MHCHEM_VERSION}\0{kind}\0", body) if cache is not None else ""
    if cache is not None:
        stored = cache.get_json("chem", key)
        if isinstance(stored, str):
            return stored
    latex = _mhchem(kind, body)
    if cache is not None:
        cache.put_json("chem", key, latex)
    return latex


def _mhchem(kind: str, body: str) -> str:
    """Run mhchem's parser on one argument."""
    import quickjs

    try:
        result = _engine()(body, kind)
    except quickjs.JSException as exc:  # mhchem throws [name, message]: QuickJS reports "name,message\nstack"
        message = str(exc).split("\n", 1)[0].split(",", 1)[-1].strip()
        raise ChemError(f"mhchem cannot read \\{kind}{{{body[:60]}}}: {message}") from None
    if not isinstance(result, str):
        raise ChemError(f"mhchem gave no LaTeX for \\{kind}{{{body[:60]}}}")
    return result


@functools.cache
def _engine() -> Any:
    """Return mhchem's `toTex` in this process's QuickJS engine (loaded once; its output made a flat string)."""
    import quickjs

    context = quickjs.Context()
    context.set_memory_limit(JS_MEMORY)
    context.set_time_limit(JS_SECONDS)
    context.eval("var exports = {};\n" + VENDOR.read_text(encoding="utf-8"))
    return context.eval("(function (s, t) { return String(exports.mhchemParser.toTex(s, t)).slice(0); })")


# What mhchem writes for MathJax, rewritten for ziamath: (command, arguments kept or a replacement).
ARROWS = {  # ziamath has no long harpoons: the Unicode arrow (the equilibrium's side is not shown)
    r"\longrightleftharpoons": r"\rightleftharpoons",
    r"\longRightleftharpoons": r"\rightleftharpoons",
    r"\longLeftrightharpoons": r"\rightleftharpoons",
    r"\longleftrightarrows": r"\leftrightarrows",
    r"\xrightleftharpoons": r"\xrightarrow",
    r"\xRightleftharpoons": r"\xrightarrow",
    r"\xLeftrightharpoons": r"\xrightarrow",
    r"\xleftrightarrows": r"\xleftrightarrow",
    r"\tripledash": r"\text{┄}",  # a bond drawn with short dashes
}
UNWRAP = (r"\llap", r"\rlap")  # overlapping boxes: set side by side
SHIFTED = re.compile(r"\\(?:lower|raise)\s*(-?[\d.]+\s*(?:mu|em|ex|pt))")  # a shifted box: set on the baseline


def for_ziamath(latex: str) -> str:
    """Return mhchem's LaTeX with what ziamath cannot draw replaced by what it draws."""
    latex = re.sub(r"\\[A-Za-z]+", lambda m: ARROWS.get(m.group(), m.group()), latex)
    latex = SHIFTED.sub("", latex)
    latex = _unwrap(latex, UNWRAP, keep=0, count=1)
    return _unwrap(latex, (r"\mathchoice",), keep=1, count=4)  # the display style's choice


def _unwrap(latex: str, commands: tuple[str, ...], keep: int, count: int) -> str:
    """Replace `\\command{a}{b}...` (`count` groups) by its `keep`-th group, braced."""
    pattern = re.compile("|".join(re.escape(c) + r"(?![A-Za-z])" for c in commands))
    out, at = [], 0
    for match in pattern.finditer(latex):
        if match.start() < at:
            continue
        groups, end = [], match.end()
        for _ in range(count):
            found = group(latex, end)
            if found is None:
                break
            groups.append(found[0])
            end = found[1]
        if len(groups) == count:
            out.append(latex[at : match.start()] + "{" + groups[keep] + "}")
            at = end
    return "".join(out) + latex[at:]
