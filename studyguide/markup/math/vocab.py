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
from pathlib import Path

from studyguide.markup.math.split import paired_quotes, unary_signs

COMMAND = re.compile(r"\\(?:[A-Za-z]+|.)")
ENVIRONMENT = re.compile(r"\\(?:begin|end)\s*\{([^{}]*)\}")
# Commands one output lacks, with the equivalent it knows.
FOR_MATHJAX = {r"\bm": r"\boldsymbol"}  # MathJax has no bm package; \boldsymbol is the same bold math
FOR_ZIAMATH = {r"\operatorname*": r"\operatorname"}  # ziamath prints the star; limits go beside instead of below
# What neither output shows as written.
DOUBLE_STRUCK_DIGIT = re.compile(r"\\mathbb\s*\{?\s*\d")


@functools.cache
def mathjax_names() -> frozenset[str]:
    """Return every command and environment (as `{name}`) that Anki's MathJax knows."""
    text = (Path(__file__).parent / "data" / "mathjax-names.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.split("\n") if line)


def for_mathjax(tex: str) -> str:
    """Return a formula with the commands Anki's MathJax lacks replaced by their equivalents, its quotes paired."""
    return paired_quotes(COMMAND.sub(lambda match: FOR_MATHJAX.get(match.group(), match.group()), tex))


def for_ziamath(tex: str) -> str:
    """Return a formula with what ziamath draws wrongly replaced by its equivalent: commands, signs spaced as
    binary operators (`= -5`); its quotes paired, as for MathJax."""
    for command, equivalent in FOR_ZIAMATH.items():
        tex = tex.replace(command, equivalent)
    return paired_quotes(unary_signs(tex))


def mathjax_problem(tex: str) -> str | None:
    """Return why Anki's MathJax cannot show a formula (after translation), or None."""
    if DOUBLE_STRUCK_DIGIT.search(tex):
        return "no output draws a double-struck digit (\\mathbb{1} shows a plain 1); write \\mathbf{1} or \\mathbb{I}"
    known = mathjax_names()
    translated = for_mathjax(tex)
    for command in COMMAND.findall(translated):
        if command[1:] not in known and command not in known:  # delimiters are listed with their backslash
            return f"'{command}' is unknown to Anki's MathJax: the card would show it in red"
    for name in ENVIRONMENT.findall(translated):
        if "{" + name.strip() + "}" not in known:
            return f"the environment '{name.strip()}' is unknown to Anki's MathJax: the card would show an error"
    return None
