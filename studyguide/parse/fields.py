"""A question's metadata lines (Tags:, See also:, Sources:, Reverse:) and the walks the parser makes over blocks."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from studyguide.errors import Problem
from studyguide.model import Node
from studyguide.parse.convert import line_of
from studyguide.parse.reading import SLUG

if TYPE_CHECKING:
    from pathlib import Path

    from markdown_it.tree import SyntaxTreeNode

# A tag: letters of any script and digits, in words joined by hyphens ("ذرة", "équilibre-chimique"), lowercase.
TAG = re.compile(r"^[^\W_]+(?:-[^\W_]+)*$")
FIELD = re.compile(r"^(Tags|Sources|See also|Reverse):\s*(.*)$", re.DOTALL)


def tags(block: SyntaxTreeNode, path: Path, problems: list[Problem]) -> tuple[str, ...]:
    """Parse 'Tags: a, b, c'."""
    raw = FIELD.match(block.children[0].content)
    assert raw is not None
    tags = [t.strip() for t in raw.group(2).replace("\n", " ").split(",") if t.strip()]
    if not tags:
        problems.append(Problem(path, line_of(block), "'Tags:' line lists no tags"))
    for tag in tags:
        if not TAG.match(tag) or tag != tag.lower():
            message = f"malformed tag '{tag}': use lowercase letters (of any script), digits and hyphens"
            problems.append(Problem(path, line_of(block), message))
    if len(set(tags)) != len(tags):
        problems.append(Problem(path, line_of(block), "a tag is listed twice"))
    return tuple(tags)


def see_also(block: SyntaxTreeNode, path: Path, problems: list[Problem]) -> tuple[str, ...]:
    """Parse 'See also: [title](#id), ...' into question ids."""
    ids = []
    for node in walk(block):
        if node.type == "link":
            href = str(node.attrs.get("href", ""))
            if href.startswith("#") and SLUG.match(href[1:]):
                ids.append(href[1:])
            else:
                problems.append(
                    Problem(
                        path, line_of(block), f"'See also:' link '{href}' must point at a question as (#question-id)"
                    )
                )
    if not ids:
        problems.append(Problem(path, line_of(block), "'See also:' needs links of the form [title](#question-id)"))
    return tuple(ids)


def strip_field(node: Node, label: str) -> Node:
    """Remove the leading 'Label:' text from a field paragraph."""
    first, *rest = node.children
    if first.kind == "text" and first.text.startswith(label):
        first = Node("text", text=first.text[len(label) :].lstrip(), line=first.line)
    return Node(node.kind, (first, *rest), node.text, node.attrs, node.line)


def inline_source(block: SyntaxTreeNode) -> str:
    """Return the raw inline Markdown of a heading or paragraph."""
    return block.children[0].content if block.children else ""


def walk(node: SyntaxTreeNode) -> list[SyntaxTreeNode]:
    """Return a node and all its descendants."""
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(current.children))
    return found
