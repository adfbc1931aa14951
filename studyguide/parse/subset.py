"""The little HTML authors write in Markdown, made model nodes; emoji shortcodes made emoji.

Raw HTML stays off in the parser, so a tag reaches the model as text. Here the safe subset is
recognised in that text: `<details>`/`<summary>` around blocks, `<kbd>`, `<sub>`, `<sup>`, `<mark>`
around inline text, `<br>`; attributes are dropped. A tag of the subset that finds no partner in
the same paragraph (or list of blocks) stays text, and `leftovers` names it at its line; every
other tag stays text too, and `pitfalls` warns of it. Nothing the author wrote is passed on as HTML.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from studyguide.errors import Problem
from studyguide.model import Kind, Node

INLINE = ("kbd", "sub", "sup", "mark")
SUBSET = frozenset({*INLINE, "br", "details", "summary"})
INLINE_TAG = re.compile(r"<(/?)(kbd|sub|sup|mark|br)\b(?:\s[^<>]*)?/?>", re.IGNORECASE)
ANY_SUBSET_TAG = re.compile(r"</?(?:kbd|sub|sup|mark|br|details|summary)\b(?:\s[^<>]*)?/?>", re.IGNORECASE)
OPEN_DETAILS = re.compile(r"^\s*<details\b[^<>]*>\s*", re.IGNORECASE)
CLOSE_DETAILS = re.compile(r"\s*</details\s*>\s*$", re.IGNORECASE)
OPEN_SUMMARY = re.compile(r"^\s*<summary\b[^<>]*>\s*", re.IGNORECASE)
CLOSE_SUMMARY = re.compile(r"\s*</summary\s*>\s*", re.IGNORECASE)
# A shortcode stands alone: not inside a word or a run of colons ("a:b:c", "10:30:45" are text).
SHORTCODE = re.compile(r"(?<![\w:]):([a-z0-9_+\-]+):(?![\w:])")


@dataclass(frozen=True)
class Tag:
    """An opening or closing tag of the inline subset found in text, at its node's line."""

    name: str
    closing: bool
    source: str
    line: int


@functools.cache
def emoji_of(name: str) -> str | None:
    """Return the emoji a shortcode names (GitHub's and Slack's names, as the `emoji` library knows them), or None."""
    import emoji

    code = f":{name}:"
    found = emoji.emojize(code, language="alias")
    return None if found == code else found


def with_emoji(text: str) -> str:
    """Replace every known shortcode in a text with its emoji (an unknown one stays as written)."""
    if ":" not in text:
        return text
    return SHORTCODE.sub(lambda match: emoji_of(match.group(1)) or match.group(), text)


def inline(children: list[Node]) -> list[Node]:
    """Return inline nodes with the subset's tags made elements and shortcodes made emoji."""
    if not any(child.kind == "text" and ("<" in child.text or ":" in child.text) for child in children):
        return children
    items: list[Node | Tag] = []
    for child in children:
        items.extend(_split(child) if child.kind == "text" else [child])
    return _merge(_group(items))


def _split(node: Node) -> Iterator[Node | Tag]:
    """Yield a text node's pieces: text between tags, and the tags."""
    start = 0
    for match in INLINE_TAG.finditer(node.text):
        if match.start() > start:
            yield Node("text", text=with_emoji(node.text[start : match.start()]), line=node.line)
        name, closing = match.group(2).lower(), match.group(1) == "/"
        if name == "br":
            yield Node("hardbreak", line=node.line)
        else:
            yield Tag(name, closing, match.group(), node.line)
        start = match.end()
    if start < len(node.text):
        yield Node("text", text=with_emoji(node.text[start:]), line=node.line)


def _group(items: list[Node | Tag]) -> list[Node]:
    """Nest the nodes between each opening tag and its closing one; a tag without a partner stays text."""
    stack: list[tuple[Tag | None, list[Node]]] = [(None, [])]
    for item in items:
        if isinstance(item, Node):
            stack[-1][1].append(item)
        elif not item.closing:
            stack.append((item, []))
        elif any(tag is not None and tag.name == item.name for tag, _ in stack):
            while True:  # tags left open inside this one stay text
                tag, nodes = stack.pop()
                assert tag is not None
                if tag.name == item.name:
                    stack[-1][1].append(Node(cast(Kind, tag.name), tuple(_merge(nodes)), line=tag.line))
                    break
                stack[-1][1].extend([Node("text", text=tag.source, line=tag.line), *nodes])
        else:
            stack[-1][1].append(Node("text", text=item.source, line=item.line))
    while len(stack) > 1:
        tag, nodes = stack.pop()
        assert tag is not None
        stack[-1][1].extend([Node("text", text=tag.source, line=tag.line), *nodes])
    return stack[0][1]


def _merge(nodes: list[Node]) -> list[Node]:
    """Join neighbouring text nodes (the first one's line) and drop empty ones."""
    merged: list[Node] = []
    for node in nodes:
        if node.kind == "text" and not node.text:
            continue
        if node.kind == "text" and merged and merged[-1].kind == "text":
            merged[-1] = Node("text", text=merged[-1].text + node.text, line=merged[-1].line)
        else:
            merged.append(node)
    return merged


def blocks(nodes: list[Node]) -> list[Node]:
    """Return a list of blocks with each `<details>` ... `</details>` run made one details block."""
    if not any(node.kind == "paragraph" and "details" in node.plain_text().lower() for node in nodes):
        return nodes
    stack: list[tuple[Node | None, list[Node]]] = [(None, [])]
    for node in nodes:
        opened = _opening(node) if node.kind == "paragraph" else None
        if opened is not None:
            summary, rest = opened
            stack.append((node, [] if summary is None else [summary]))
            if rest is None:
                continue
            node = rest
        elif len(stack) > 1 and not stack[-1][1] and node.kind == "paragraph":  # the summary a paragraph of its own
            found = _opening(Node("paragraph", (Node("text", text="<details>"), *node.children), line=node.line))
            if found is not None and found[0] is not None:
                stack[-1][1].append(found[0])
                if found[1] is None:
                    continue
                node = found[1]
        closed = _closing(node) if node.kind == "paragraph" and len(stack) > 1 else None
        if closed is None:
            stack[-1][1].append(node)
            continue
        start, inner = stack.pop()
        assert start is not None
        stack[-1][1].append(Node("details", (*inner, *closed), line=start.line))
    while len(stack) > 1:  # never closed: the opening paragraph stays as written
        start, inner = stack.pop()
        assert start is not None
        stack[-1][1].extend([start, *inner[1:]] if inner and inner[0].kind == "summary" else [start, *inner])
    return stack[0][1]


def _opening(node: Node) -> tuple[Node | None, Node | None] | None:
    """Split a paragraph that starts with `<details>` into its summary (if any) and the rest, or return None."""
    first = node.children[0] if node.children else None
    match = OPEN_DETAILS.match(first.text) if first is not None and first.kind == "text" else None
    if first is None or match is None:
        return None
    children = _trimmed([Node("text", text=first.text[match.end() :], line=node.line), *node.children[1:]])
    summary = None
    head = children[0] if children and children[0].kind == "text" else None
    opened = OPEN_SUMMARY.match(head.text) if head is not None else None
    if opened is not None:
        assert head is not None
        children = [Node("text", text=head.text[opened.end() :], line=node.line), *children[1:]]
        ends = [i for i, child in enumerate(children) if child.kind == "text" and CLOSE_SUMMARY.search(child.text)]
        if not ends:
            return None
        end = CLOSE_SUMMARY.search(children[ends[0]].text)
        assert end is not None
        closing = children[ends[0]]
        inside = [*children[: ends[0]], Node("text", text=closing.text[: end.start()], line=closing.line)]
        summary = Node("summary", tuple(_trimmed(inside)), line=node.line)
        children = _trimmed([Node("text", text=closing.text[end.end() :], line=closing.line), *children[ends[0] + 1 :]])
    return summary, Node("paragraph", tuple(children), line=node.line) if children else None


def _closing(node: Node) -> tuple[Node, ...] | None:
    """Return what stands before a paragraph's closing `</details>` (a paragraph, or nothing), or None."""
    last = node.children[-1] if node.children else None
    match = CLOSE_DETAILS.search(last.text) if last is not None and last.kind == "text" else None
    if last is None or match is None:
        return None
    children = _trimmed([*node.children[:-1], Node("text", text=last.text[: match.start()], line=last.line)])
    return (Node("paragraph", tuple(children), line=node.line),) if children else ()


def _blank(node: Node) -> bool:
    """Tell whether a node is a line break or white space, which a tag on a line of its own leaves behind."""
    return node.kind in ("softbreak", "hardbreak") or (node.kind == "text" and not node.text.strip())


def _trimmed(children: list[Node]) -> list[Node]:
    """Return inline nodes without the line breaks and white space at either end."""
    children = _merge(children)
    start, end = 0, len(children)
    while start < end and _blank(children[start]):
        start += 1
    while end > start and _blank(children[end - 1]):
        end -= 1
    return children[start:end]


def leftovers(path: Path, trees: list[Node | None], problems: list[Problem]) -> None:
    """Warn, at its line, of a tag of the subset left as text: it has no partner where it stands."""
    for tree in trees:
        stack = [] if tree is None else [tree]
        while stack:
            node = stack.pop()
            if node.kind == "text":
                for match in ANY_SUBSET_TAG.finditer(node.text):
                    message = (
                        f"'{match.group()[:40]}' has no partner in its paragraph (shown as text): "
                        "open and close it in the same paragraph, or <details> and </details> on lines of their own"
                    )
                    problems.append(Problem(path, node.line, message, "warning"))
            stack.extend(node.children)
