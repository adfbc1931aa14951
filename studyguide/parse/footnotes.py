"""Footnotes: a section file's notes go with the questions that refer to them, numbered per question.

markdown-it gathers a file's footnote definitions at the end of the file; a card, a printed
question and the page's question each stand alone, so every question carries the notes it refers
to, numbered 1, 2, ... in the order it first refers to them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studyguide.errors import Problem
from studyguide.model import Node
from studyguide.parse.convert import convert

if TYPE_CHECKING:
    from markdown_it.tree import SyntaxTreeNode

LEFT_AS_TEXT = re.compile(r"\[\^([^\]\s]+)\]")


def definitions(blocks: list[SyntaxTreeNode]) -> tuple[list[SyntaxTreeNode], dict[str, Node]]:
    """Split a file's top-level blocks into the others and its footnotes (converted), by markdown-it's id.

    The id, not the label: pandoc's inline notes (`text^[the note]`) have none, and a label
    defined twice is one note (the first), which markdown-it gives one id.
    """
    notes: dict[str, Node] = {}
    rest = []
    for block in blocks:
        if block.type != "footnote_block":
            rest.append(block)
            continue
        for note in block.children:
            line = next((child.map[0] + 1 for child in note.children if child.map), 0)
            converted = convert(note, line)
            notes.setdefault(converted.attr("id"), Node("footnote", converted.children, "", converted.attrs, line))
    return rest, notes


def attach(
    core: Node | None, answer: Node, sources: Node | None, notes: dict[str, Node]
) -> tuple[Node | None, Node, Node | None, tuple[Node, ...]]:
    """Number the notes a question refers to, in order of first use; return its trees so numbered, and the notes."""
    numbers: dict[str, int] = {}
    lines: dict[str, int] = {}  # where each note is first referred to: an inline note's own line

    def number(node: Node) -> Node:
        if node.kind == "footnote_ref":
            key = node.attr("id")
            numbers.setdefault(key, len(numbers) + 1)
            lines.setdefault(key, node.line)
            attrs = (("id", key), ("label", node.attr("label")), ("number", str(numbers[key])))
            return Node("footnote_ref", (), "", attrs, node.line)
        if not node.children:
            return node
        return Node(node.kind, tuple(number(child) for child in node.children), node.text, node.attrs, node.line)

    numbered = (None if core is None else number(core), number(answer), None if sources is None else number(sources))
    carried = []
    for key, n in numbers.items():  # a note's own references to other notes are not followed
        note = notes.get(key, Node("footnote"))
        attrs = (("id", key), ("label", note.attr("label")), ("number", str(n)))
        children = note.children if note.line else tuple(_placed(child, lines[key]) for child in note.children)
        carried.append(Node("footnote", children, "", attrs, note.line or lines[key]))
    return (*numbered, tuple(carried))


def _placed(node: Node, line: int) -> Node:
    """Return an inline note's node dated at the line that holds the note (markdown-it gives it none)."""
    children = tuple(_placed(child, line) for child in node.children)
    return Node(node.kind, children, node.text, node.attrs, node.line or line)


def unreferenced(path: Path, text: str, env: dict[str, Any], problems: list[Problem]) -> None:
    """Report a note the file defines but never refers to (markdown-it drops it without a word)."""
    refs = env.get("footnotes", {}).get("refs", {})
    for key, number in refs.items():
        if number < 0:
            label = key[1:]
            found = re.search(rf"(?m)^ {{0,3}}\[\^{re.escape(label)}\]:", text)
            line = text.count("\n", 0, found.start()) + 1 if found else 0
            message = f"footnote [^{label}] is never referred to: refer to it or delete it"
            problems.append(Problem(path, line, message))


def check(path: Path, trees: list[Node | None], problems: list[Problem]) -> None:
    """Report `[^label]` left as text: a reference to a footnote the file does not define."""
    for tree in trees:
        stack = [] if tree is None else [tree]
        while stack:
            node = stack.pop()
            if node.kind == "text":
                for match in LEFT_AS_TEXT.finditer(node.text):
                    message = f"footnote [^{match.group(1)}] is not defined: add '[^{match.group(1)}]: the note'"
                    problems.append(Problem(path, node.line, message))
            stack.extend(node.children)
