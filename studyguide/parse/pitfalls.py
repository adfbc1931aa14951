"""Markdown that silently means something else than the author meant: said at its line.

An underline (`---`, `===`) under a paragraph makes it a heading, which here starts a new
question or section: an error. A `$` that opens or closes no formula, a formula cut by a table's
`|`, and raw HTML (shown as text) only warn: each still builds, showing what was written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studyguide.errors import Problem
from studyguide.markup.math.vocab import card_pieces, right_to_left
from studyguide.parse.subset import SHORTCODE, SUBSET, emoji_of

if TYPE_CHECKING:
    from markdown_it.tree import SyntaxTreeNode

# A `$` that looks like the start of a formula (a letter, a backslash or a brace follows) or its end
# (one follows a letter, a brace or a bracket and no digit comes next), left over once the formulas
# markdown-it found are taken out. Prices ("$5", "5 $") match neither.
STRAY_OPEN = re.compile(r"(?<![\\$])\$(?=[A-Za-z\\{(])")
STRAY_CLOSE = re.compile(r"(?<=[A-Za-z}\])])(?<!\\)\$(?![\d$])")
CODE_SPAN = re.compile(r"(`+).*?\1", re.DOTALL)
RAW_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")


def checked(
    path: Path, text: str, blocks: list[SyntaxTreeNode], problems: list[Problem], env: dict[str, Any] | None = None
) -> list[SyntaxTreeNode]:
    """Report every pitfall of a file's top-level blocks; return the blocks without underlined headings.

    `env` is markdown-it's: it holds the inline notes (`^[...]`), whose formulas are formulas too.
    """
    lines = text.split("\n")
    notes = (env or {}).get("footnotes", {}).get("list", {})
    for block in blocks:
        inline_warnings(path, lines, block, problems, notes)
        cut_formulas(path, lines, block, problems)
        for node in [block, *block.children]:
            if node.type in ("math_block", "math_block_label") and node.map:
                words_on_cards(path, node.map[0] + 1, node.content, problems)
    return [block for block in blocks if not underlined_heading(path, block, problems)]


def underlined_heading(path: Path, block: SyntaxTreeNode, problems: list[Problem]) -> bool:
    """Report a heading made by underlining a paragraph (`---` or `===`); return whether it was one."""
    if block.type != "heading" or block.markup not in ("-", "="):
        return False
    line = block.map[1] if block.map else 0  # the underline's own line
    message = (
        f"this '{block.markup * 3}' line turns the paragraph above into a heading; "
        "leave a blank line before it for a rule, or write the heading with '#'"
    )
    problems.append(Problem(path, line, message))
    return True


def inline_warnings(
    path: Path, lines: list[str], block: SyntaxTreeNode, problems: list[Problem], notes: dict[Any, Any]
) -> None:
    """Warn about stray `$` and raw HTML (each tag at its line and column) in one block's inline text."""
    stack = [block]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.type != "inline" or not node.map:
            continue
        source = blanked(node.content, [match.span() for match in CODE_SPAN.finditer(node.content)])
        for tex in formulas(node, notes):
            words_on_cards(path, node.map[0] + 1, tex, problems)
            at = source.find(f"${tex}$")
            if at >= 0:
                source = blanked(source, [(at, at + len(tex) + 2)])
        line = node.map[0] + 1
        if STRAY_OPEN.search(source) or STRAY_CLOSE.search(source):
            message = (
                "a '$' here opens or closes no formula (shown as a dollar sign): close the formula, or write '\\$'"
            )
            problems.append(Problem(path, line, message, "warning"))
        raw_html(path, lines, line, source, problems)
        for match in SHORTCODE.finditer(source):
            if emoji_of(match.group(1)) is None:
                message = f"'{match.group()[:40]}' is no emoji shortcode the outputs know: shown as written"
                problems.append(Problem(path, line + source.count("\n", 0, match.start()), message, "warning"))


def words_on_cards(path: Path, line: int, tex: str, problems: list[Problem]) -> None:
    """Warn of right-to-left words inside a formula that the cards cannot take out of it (see anki_math)."""
    if right_to_left(tex) and card_pieces(tex) is None:
        message = (
            "the right-to-left words inside this formula show on the cards unjoined and in reverse order "
            "(Anki's MathJax draws them letter by letter; the page and the PDF draw them right): "
            "put them in \\text{...} at the formula's top level, or outside it"
        )
        problems.append(Problem(path, line, message, "warning"))


def formulas(node: SyntaxTreeNode, notes: dict[Any, Any]) -> list[str]:
    """Return the TeX of every inline formula under an inline node, inline notes' included, in order."""
    found: list[str] = []
    stack: list[Any] = [node]
    while stack:
        current = stack.pop(0)
        if current.type == "math_inline":
            found.append(current.content)
        elif current.type == "footnote_ref":
            note = notes.get(current.meta.get("id"), {})
            stack.extend(note.get("tokens", []) if isinstance(note, dict) else [])
        stack.extend(current.children or [])
    return found


def blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """Return a text with the given spans made spaces, keeping their line breaks (positions stay the same)."""
    for start, end in spans:
        text = text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]
    return text


def raw_html(path: Path, lines: list[str], first: int, source: str, problems: list[Problem]) -> None:
    """Warn of each tag outside the subset the outputs keep (shown as text), at its own line and column."""
    for match in RAW_HTML.finditer(source):
        name = match.group().strip("</>").split()[0].rstrip("/").lower()
        if name in SUBSET:
            continue
        offset = source.count("\n", 0, match.start())
        line = first + offset
        row = source[source.rfind("\n", 0, match.start()) + 1 : match.start()]
        written = lines[line - 1] if 0 < line <= len(lines) else ""
        column = _nth(written, match.group(), row.count(match.group())) + 1
        message = (
            f"raw HTML '{match.group()[:40]}' (column {column}) is shown as text, not as markup; write it in "
            "Markdown (the HTML kept is <details>, <summary>, <kbd>, <br>, <sub>, <sup> and <mark>)"
        )
        problems.append(Problem(path, line, message, "warning"))


def _nth(text: str, part: str, n: int) -> int:
    """Return where the n-th (from 0) occurrence of `part` starts in `text` (0 when it is not there)."""
    at = -1
    for _ in range(n + 1):
        at = text.find(part, at + 1)
        if at < 0:
            return 0
    return at


def pipe_in_formula(row: str) -> bool:
    """Tell whether an unescaped `|` stands inside a formula of a table row, found as the parser finds formulas.

    A `$` opens a formula when a non-space follows it and no digit stands before it; it is closed by the
    next `$` that follows a non-space and has no digit after it. A price (`from $15/month`) opens nothing.
    """
    at = 0
    while at < len(row):
        char = row[at]
        if char == "\\":
            at += 2
            continue
        if char == "$" and at + 1 < len(row) and not row[at + 1].isspace() and not (at and row[at - 1].isdigit()):
            end = _closing_dollar(row, at + 1)
            if end is not None:
                if re.search(r"(?<!\\)\|", row[at + 1 : end]):
                    return True
                at = end + 1
                continue
        at += 1
    return False


def _closing_dollar(row: str, start: int) -> int | None:
    """Return where the `$` that closes a formula opened just before `start` stands, or None."""
    at = start
    while at < len(row):
        if row[at] == "\\":
            at += 2
            continue
        if row[at] == "$" and not row[at - 1].isspace() and not (at + 1 < len(row) and row[at + 1].isdigit()):
            return at
        at += 1
    return None


def cut_formulas(path: Path, lines: list[str], block: SyntaxTreeNode, problems: list[Problem]) -> None:
    """Warn about a table row whose formula a `|` cuts into cells (GitHub's tables need `\\|` there)."""
    if block.type not in ("table", "paragraph") or not block.map:
        return
    for number in range(block.map[0], block.map[1]):
        row = lines[number] if number < len(lines) else ""
        if row.lstrip().startswith("|") and pipe_in_formula(row):
            message = "a '|' inside a formula in this table row splits the cell; write '\\|' inside the formula"
            problems.append(Problem(path, number + 1, message, "warning"))
