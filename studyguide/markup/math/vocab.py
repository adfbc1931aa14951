"""One math vocabulary for every output: what ziamath (the page, the PDF) and Anki's MathJax (the cards) both show.

A formula is drawn by ziamath for the page and the PDF and typeset by the MathJax that Anki
bundles for the cards. The two know different commands. A few have an equivalent the other
knows, and are translated for that output; any other command one of them lacks is refused at the
formula's line, naming the command and the output that cannot show it.

`data/mathjax-names.txt` lists every command and environment name that MathJax 3.2.2 knows with
Anki's packages (made by `tests/browser/mathjax-tex.cjs names`; a test checks it against MathJax).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from studyguide.markup.math.chem import CHEMISTRY, group
from studyguide.markup.math.split import paired_quotes, unary_signs

COMMAND = re.compile(r"\\(?:[A-Za-z]+|.)")
ENVIRONMENT = re.compile(r"\\(?:begin|end)\s*\{([^{}]*)\}")
# Commands one output lacks, with the equivalent it knows.
FOR_MATHJAX = {r"\bm": r"\boldsymbol"}  # MathJax has no bm package; \boldsymbol is the same bold math
FOR_ZIAMATH = {r"\operatorname*": r"\operatorname"}  # ziamath prints the star; limits go beside instead of below
# Commands mhchem reads inside \ce{...} itself (a bond, "circa"): MathJax's mhchem knows them there.
MHCHEM_OWN = frozenset({r"\bond", r"\ca"})
# What neither output shows as written.
DOUBLE_STRUCK_DIGIT = re.compile(r"\\mathbb\s*\{?\s*\d")


@functools.cache
def mathjax_names() -> frozenset[str]:
    """Return every command and environment (as `{name}`) that Anki's MathJax knows."""
    text = (Path(__file__).parent / "data" / "mathjax-names.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.split("\n") if line)


def for_mathjax(tex: str) -> str:
    """Return a formula with the commands Anki's MathJax lacks replaced by their equivalents, its quotes paired."""
    return outside_chemistry(
        COMMAND.sub(lambda match: FOR_MATHJAX.get(match.group(), match.group()), tex), paired_quotes
    )


def for_ziamath(tex: str) -> str:
    """Return a formula with what ziamath draws wrongly replaced by its equivalent: commands, signs spaced as
    binary operators (`= -5`); its quotes paired, as for MathJax."""
    for command, equivalent in FOR_ZIAMATH.items():
        tex = tex.replace(command, equivalent)
    return outside_chemistry(tex, lambda part: paired_quotes(unary_signs(part)))


def outside_chemistry(tex: str, change: Callable[[str], str]) -> str:
    """Apply `change` to a formula's parts outside `\\ce{...}` and `\\pu{...}`, which mhchem reads as written.

    mhchem has its own signs, arrows and quotes: `Cl- -> NaCl` with its minus made a sign (`{-}>`)
    would lose its arrow. It writes signs as TeX wants them (`{-}`), so its LaTeX needs no change.
    """
    if "\\ce" not in tex and "\\pu" not in tex:
        return change(tex)
    out, at = [], 0
    for match in CHEMISTRY.finditer(tex):
        found = group(tex, match.end()) if match.start() >= at else None
        if found is not None:  # an argument left open is mhchem's error, reported where it is translated
            out.append(change(tex[at : match.start()]) + tex[match.start() : found[1]])
            at = found[1]
    return "".join(out) + change(tex[at:])


def mathjax_problem(tex: str) -> str | None:
    """Return why Anki's MathJax cannot show a formula (after translation), or None."""
    if DOUBLE_STRUCK_DIGIT.search(tex):
        return "no output draws a double-struck digit (\\mathbb{1} shows a plain 1); write \\mathbf{1} or \\mathbb{I}"
    known = mathjax_names()
    translated = for_mathjax(tex)
    chemistry = MHCHEM_OWN if "\\ce" in tex or "\\pu" in tex else frozenset()
    for command in COMMAND.findall(translated):
        if command[1:] not in known and command not in known and command not in chemistry:  # delimiters: with "\\"
            return f"'{command}' is unknown to Anki's MathJax: the card would show it in red"
    for name in ENVIRONMENT.findall(translated):
        if "{" + name.strip() + "}" not in known:
            return f"the environment '{name.strip()}' is unknown to Anki's MathJax: the card would show an error"
    return None


# Words in a right-to-left script inside a formula: Anki's MathJax draws their letters one by one,
# left to right (unjoined, in reverse order). Words standing at the formula's top level in one of
# these commands are taken out and set as text between the formula's pieces on the cards.
TEXT_COMMAND = re.compile(
    r"\\(text|textrm|textnormal|textbf|textit|textsf|mathrm|mathbf|mathit|mathsf|mbox)(?![A-Za-z])"
)
BOLD = frozenset({"textbf", "mathbf"})


def right_to_left(text: str) -> bool:
    """Tell whether a text holds a letter of a right-to-left script (Arabic, Hebrew, Syriac...)."""
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def card_pieces(tex: str) -> list[tuple[str, str]] | None:
    """Split a formula for a card into ("math", TeX) and ("text" or "bold", words) pieces, the words being its
    right-to-left words at its top level; None when right-to-left letters stay inside the formula."""
    pieces: list[tuple[str, str]] = []
    depth, at, index = 0, 0, 0
    while index < len(tex):
        char = tex[index]
        match = TEXT_COMMAND.match(tex, index) if char == "\\" and depth == 0 else None
        found = group(tex, match.end()) if match else None
        if match and found and right_to_left(found[0]) and "\\" not in found[0] and "$" not in found[0]:
            pieces.append(("math", tex[at:index]))
            pieces.append(("bold" if match.group(1) in BOLD else "text", found[0]))
            at = index = found[1]
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        index += 2 if char == "\\" else 1
    pieces.append(("math", tex[at:]))
    if any(kind == "math" and not _whole(part) for kind, part in pieces):
        return None
    return [(kind, part) for kind, part in pieces if kind != "math" or part.strip()]


def _whole(tex: str) -> bool:
    """Tell whether a piece of a formula stands alone: no right-to-left letters, pairs closed, no script left open."""
    pairs = all(
        len(re.findall(rf"\\{a}(?![A-Za-z])", tex)) == len(re.findall(rf"\\{b}(?![A-Za-z])", tex)) for a, b in PAIRS
    )
    return pairs and not right_to_left(tex) and not tex.rstrip().endswith(("^", "_", "\\"))


PAIRS = (("left", "right"), ("begin", "end"))
