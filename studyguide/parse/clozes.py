"""A question's other cards: Anki's cloze deletions (`{{c1::text}}`, `{{c1::text::hint}}`) and `Reverse: yes`.

markdown-it reads a cloze's braces as text, so its opening `{{c1::`, its hint's `::` and its closing
`}}` land in text nodes around whatever inline elements the hidden text holds (bold, a formula, a
link). Written by hand rather than as a markdown-it rule: a cloze wraps elements markdown-it has
already parsed, and every way it can go wrong must be a problem at its line (a rule would have to
leave a malformed cloze as text, silently). Each text is scanned once: linear in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from studyguide.errors import Problem
from studyguide.model import Node, cloze_numbers
from studyguide.parse.convert import line_of

if TYPE_CHECKING:
    from markdown_it.tree import SyntaxTreeNode

OPENING = re.compile(r"\{\{c(\d+)::")
MARKS = re.compile(r"\{\{c(\d+)::|::|\}\}")
MAX_NUMBER = 999  # Anki numbers a note's cards from the cloze numbers: a typo like c1000 is caught here
CONTAINERS = {"strong": "bold", "em": "italics", "s": "strikethrough", "link": "link"}
ELSEWHERE = "clozes go in the core answer or the answer"


@dataclass
class _Open:
    """A cloze whose `}}` is not reached yet."""

    number: str
    line: int
    opening: str  # the `{{cN::` as written, put back as text when the cloze never closes
    parts: list[Node] = field(default_factory=list)
    hint: str | None = None  # None until its `::`


def find(tree: Node, path: Path, problems: list[Problem]) -> Node:
    """Return the tree with its clozes as `cloze` nodes, reporting each malformed one at its line."""
    return _node(tree, False, path, problems)


def _node(node: Node, inside: bool, path: Path, problems: list[Problem]) -> Node:
    """Return a node whose children are searched for clozes (`inside`: within a cloze, where none may open)."""
    if not node.children:
        return node
    children = _children(node, inside, path, problems)
    return Node(node.kind, children, node.text, node.attrs, node.line)


def _children(parent: Node, inside: bool, path: Path, problems: list[Problem]) -> tuple[Node, ...]:
    """Return one level's children with each cloze that opens and closes on this level wrapped in a node."""
    out: list[Node] = []
    current: _Open | None = None
    for child in parent.children:
        if child.kind == "text":
            current = _text(child, current, inside, out, path, problems)
        elif current is None:
            out.append(_node(child, inside, path, problems))
        elif current.hint is not None:  # Anki's hint is text: what follows `::` up to `}}`
            if child.kind in ("softbreak", "hardbreak"):
                current.hint += " "
            else:
                problems.append(
                    Problem(path, child.line, f"the hint of the cloze {current.opening} must be plain text")
                )
        else:
            current.parts.append(_node(child, True, path, problems))
    if current is not None:
        what = CONTAINERS.get(parent.kind)
        if what:
            message = f"the cloze {current.opening} must close with '}}}}' inside the {what} it opens in"
        else:
            message = f"the cloze {current.opening} is never closed: end it with '}}}}' in the same paragraph"
        problems.append(Problem(path, current.line, message))
        out.append(Node("text", text=current.opening, line=current.line))
        out.extend(current.parts)
    return tuple(out)


def _text(
    node: Node, current: _Open | None, inside: bool, out: list[Node], path: Path, problems: list[Problem]
) -> _Open | None:
    """Scan one text for cloze marks, adding text and closed clozes to `out`; return the cloze still open."""
    text, at = node.text, 0

    def take(end: int) -> None:
        piece = text[at:end]
        if not piece:
            return
        if current is None:
            out.append(Node("text", text=piece, line=node.line))
        elif current.hint is None:
            current.parts.append(Node("text", text=piece, line=node.line))
        else:
            current.hint += piece

    for mark in MARKS.finditer(text):
        token = mark.group()
        if token.startswith("{{"):
            if current is not None or inside:
                problems.append(
                    Problem(path, node.line, f"the cloze {token} is inside another cloze: clozes cannot nest")
                )
                continue
            take(mark.start())
            current, at = _Open(mark.group(1), node.line, token), mark.end()
        elif current is None or (token == "::" and current.hint is not None):
            continue  # text: a `::` or `}}` outside a cloze, or a `::` inside its hint
        elif token == "::":
            take(mark.start())
            current.hint, at = "", mark.end()
        else:
            take(mark.start())
            out.append(_closed(current, path, problems))
            current, at = None, mark.end()
    take(len(text))
    return current


def _closed(cloze: _Open, path: Path, problems: list[Problem]) -> Node:
    """Return a closed cloze's node, reporting a number out of range or nothing to hide."""
    number = int(cloze.number)
    if not 1 <= number <= MAX_NUMBER:
        message = f"the cloze {cloze.opening} has no card: cloze numbers go from c1 to c{MAX_NUMBER}"
        problems.append(Problem(path, cloze.line, message))
    if not "".join(part.plain_text() for part in cloze.parts).strip() and not _has_media(cloze.parts):
        problems.append(Problem(path, cloze.line, f"the cloze {cloze.opening} has no text to hide"))
    hint = (cloze.hint or "").strip()
    attrs = (("hint", hint), ("number", str(number))) if hint else (("number", str(number)),)
    return Node("cloze", tuple(cloze.parts), "", attrs, cloze.line)


def _has_media(parts: list[Node]) -> bool:
    """Return whether hidden parts without text still show something (an image without a description)."""
    return any(part.kind == "image" or _has_media(list(part.children)) for part in parts)


def strays(trees: list[tuple[str, Node | None]], path: Path, problems: list[Problem]) -> None:
    """Report cloze openings where no cloze can be: formulas and image descriptions anywhere, text of other parts.

    `trees` pairs each tree with the name of its part, or "" for the core answer and the answer.
    """
    for part, tree in trees:
        stack = [] if tree is None else [tree]
        while stack:
            node = stack.pop()
            stack.extend(node.children)
            source = node.attr("alt") if node.kind == "image" else node.text
            found = OPENING.search(source) if node.kind in ("text", "math_inline", "math_block", "image") else None
            if found is None or (node.kind == "text" and not part):
                continue
            if node.kind == "image":
                message = f"a cloze {found.group()} in an image's description: put the whole image in the cloze"
            elif node.kind != "text":
                message = f"a cloze {found.group()} inside a formula: put the whole formula in the cloze"
            else:
                message = f"a cloze {found.group()} in the {part}: {ELSEWHERE}"
            problems.append(Problem(path, node.line, message))


def check(
    path: Path,
    title: str,
    line: int,
    trees: tuple[Node | None, Node, Node | None, tuple[Node, ...]],
    reverse_field: SyntaxTreeNode | None,
    problems: list[Problem],
) -> bool:
    """Report clozes where none can be (title, sources, notes, formulas, image descriptions); return `Reverse:`.

    `trees` are the question's core answer, answer, sources and notes, clozes found; `reverse_field` its
    'Reverse:' line.
    """
    core, answer, sources, notes = trees
    if OPENING.search(title):
        problems.append(Problem(path, line, f"a cloze in the title, which every card shows: {ELSEWHERE}"))
    strays([("", core), ("", answer), ("sources", sources), *(("footnote", note) for note in notes)], path, problems)
    if reverse_field is None:
        return False
    value = reverse_field.children[0].content.split(":", 1)[1].strip()
    return reverse(value, line_of(reverse_field), core, answer, path, problems)


def reverse(value: str, line: int, core: Node | None, answer: Node, path: Path, problems: list[Problem]) -> bool:
    """Parse 'Reverse: yes' (or no): a reversed question needs a core answer for its second card, and no clozes."""
    if value.lower() not in ("yes", "no"):
        problems.append(Problem(path, line, f"'Reverse:' takes yes or no, not '{value}'"))
        return False
    if value.lower() == "no":
        return False
    if core is None:
        message = "'Reverse: yes' needs a core answer ('> ...' after the field lines): the reversed card shows it"
        problems.append(Problem(path, line, message))
    if cloze_numbers(core) or cloze_numbers(answer):
        message = "'Reverse: yes' in a question with clozes: a cloze question has a card per cloze; drop one of the two"
        problems.append(Problem(path, line, message))
    return True
