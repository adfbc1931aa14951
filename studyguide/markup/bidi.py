"""Runs of the other direction inside a line, isolated: for a renderer that orders inline boxes itself (WeasyPrint).

A browser orders the text of a line by the Unicode bidirectional algorithm across its inline elements.
WeasyPrint 70 does not: it lays out each piece of text alone (Pango orders what is inside one) and,
in a right-to-left line, reverses the order of the pieces. An English citation cut into pieces by an
italic title (`Zumdahl & Zumdahl, *Chemistry*, 10th ed.`) then prints its pieces backwards, and the
trailing slash of a URL jumps to its front. It does know `direction`: a `<span dir="ltr">` keeps its
pieces in order. So each run of the other direction (with the neutral characters between its parts,
as the algorithm would resolve them) goes into one such span. Hand-written: no kept library resolves
directions over an HTML tree; `unicodedata` gives each character's class. Linear in the text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from studyguide.model import Node

STRONG = {"L": "ltr", "R": "rtl", "AL": "rtl"}
LEFT_TO_RIGHT = frozenset({"code_inline", "math_inline", "math_block", "fence"})  # always read left to right
NEUTRAL = frozenset({"softbreak", "hardbreak", "image", "footnote_ref", "checkbox"})


def direction_of(char: str) -> str:
    """Return a character's strong direction ('ltr', 'rtl'), 'number' for a digit, '' for a neutral."""
    kind = unicodedata.bidirectional(char)
    if kind in STRONG:
        return STRONG[kind]
    return "number" if kind in ("EN", "AN") else ""


def node_direction(node: Node) -> str:
    """Return the direction an inline node reads in as a whole: its first strong character's ('' if none)."""
    if node.kind in LEFT_TO_RIGHT:
        return "ltr"
    if node.kind in NEUTRAL:
        return ""
    for char in node.plain_text():
        found = direction_of(char)
        if found in ("ltr", "rtl"):
            return found
    return ""


def pieces(children: tuple[Node, ...]) -> list[tuple[str, Node]]:
    """Return the inline children as (direction, node), text cut where the direction of its characters changes.

    A number takes the direction of the strong text before it (`ch. 2` in an English citation); a
    neutral stretch is '' and is resolved by the runs around it.
    """
    out: list[tuple[str, Node]] = []
    last = ""
    for child in children:
        if child.kind != "text":
            direction = node_direction(child)
            last = direction or last
            out.append((direction, child))
            continue
        start, current = 0, None
        for index, char in enumerate(child.text):
            found = direction_of(char)
            found = last if found == "number" else found
            last = found or last
            if found != current:
                if current is not None:
                    out.append((current, Node("text", text=child.text[start:index])))
                start, current = index, found
        if current is not None:
            out.append((current, Node("text", text=child.text[start:])))
    return out


def isolated(children: tuple[Node, ...], base: str, render: Callable[[Node, str], str]) -> str:
    """Return inline children as HTML, each run against the `base` direction in a `<span dir>`.

    `render(node, direction)` renders one child whose surroundings read in `direction`. A run is a
    maximal stretch from one part of the other direction to the last one, neutrals between included.
    """
    parts = pieces(children)
    if all(direction in ("", base) for direction, _ in parts):
        return "".join(render(node, base) for node in children)
    out: list[str] = []
    index = 0
    while index < len(parts):
        direction, node = parts[index]
        if not direction or direction == base:
            out.append(render(node, base))
            index += 1
            continue
        end = index
        while end + 1 < len(parts) and parts[end + 1][0] in ("", direction):
            end += 1
        while parts[end][0] == "":  # neutrals after the run's last part go back to the base direction
            end -= 1
        inner = "".join(render(part, direction) for _, part in parts[index : end + 1])
        out.append(f'<span dir="{direction}">{inner}</span>')
        index = end + 1
    return "".join(out)
