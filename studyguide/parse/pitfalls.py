"""Markdown that silently means something else than the author meant: said at its line.

An underline (`---`, `===`) under a paragraph makes it a heading, which here starts a new
question or section: an error. A `$` that opens or closes no formula, a formula cut by a table's
`|`, and raw HTML (shown as text) only warn: each still builds, showing what was written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from studyguide.errors import Problem

if TYPE_CHECKING:
    from markdown_it.tree import SyntaxTreeNode

# A `$` that looks like the start of a formula (a letter, a backslash or a brace follows) or its end
# (one follows a letter, a brace or a bracket and no digit comes next), left over once the formulas
# markdown-it found are taken out. Prices ("$5", "5 $") match neither.
STRAY_OPEN = re.compile(r"(?<![\\$])\$(?=[A-Za-z\\{(])")
STRAY_CLOSE = re.compile(r"(?<=[A-Za-z}\])])(?<!\\)\$(?![\d$])")
CODE_SPAN = re.compile(r"(`+).*?\1", re.DOTALL)
RAW_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")


def checked(path: Path, text: str, blocks: list[SyntaxTreeNode], problems: list[Problem]) -> list[SyntaxTreeNode]:
    """Report every pitfall of a file's top-level blocks; return the blocks without underlined headings."""
    lines = text.split("\n")
    for block in blocks:
        inline_warnings(path, block, problems)
        cut_formulas(path, lines, block, problems)
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


def inline_warnings(path: Path, block: SyntaxTreeNode, problems: list[Problem]) -> None:
    """Warn about stray `$` and raw HTML in one block's inline text."""
    stack = [block]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.type != "inline" or not node.map:
            continue
        source = CODE_SPAN.sub(" ", node.content)
        for child in node.children:
            if child.type == "math_inline":
                source = source.replace(f"${child.content}$", " ", 1)
        line = node.map[0] + 1
        if STRAY_OPEN.search(source) or STRAY_CLOSE.search(source):
            message = (
                "a '$' here opens or closes no formula (shown as a dollar sign): close the formula, or write '\\$'"
            )
            problems.append(Problem(path, line, message, "warning"))
        html = RAW_HTML.search(source)
        if html:
            message = f"raw HTML is shown as text, not as markup: '{html.group()[:40]}'; write it in Markdown"
            problems.append(Problem(path, line, message, "warning"))


def pipe_in_formula(row: str) -> bool:
    """Tell whether an unescaped `|` stands between a `$` that opens a formula and the `$` that closes it."""
    inside = False
    escaped = False
    for char in row:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "$":
            inside = not inside
        elif char == "|" and inside:
            return True
    return False


def cut_formulas(path: Path, lines: list[str], block: SyntaxTreeNode, problems: list[Problem]) -> None:
    """Warn about a table row whose formula a `|` cuts into cells (GitHub's tables need `\\|` there)."""
    if block.type not in ("table", "paragraph") or not block.map:
        return
    for number in range(block.map[0], block.map[1]):
        row = lines[number] if number < len(lines) else ""
        if row.lstrip().startswith("|") and pipe_in_formula(row):
            message = "a '|' inside a formula in this table row splits the cell; write '\\|' inside the formula"
            problems.append(Problem(path, number + 1, message, "warning"))
