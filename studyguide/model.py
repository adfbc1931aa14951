"""The format-neutral document model: Guide -> Section -> Question, answers as a small block tree."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal, get_args

# Every kind of element the model holds. The parser maps markdown-it's token types onto these, and
# each output's HTML has one rule per kind (markup.html.RULES, a TypedDict: mypy names a kind left out).
Kind = Literal[
    "root",
    "paragraph",
    "heading",
    "blockquote",
    "bullet_list",
    "ordered_list",
    "list_item",
    "checkbox",
    "fence",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "dl",
    "dt",
    "dd",
    "text",
    "softbreak",
    "hardbreak",
    "strong",
    "em",
    "s",
    "code_inline",
    "link",
    "image",
    "math_inline",
    "math_block",
    "footnote_ref",
    "footnote",
    "cloze",  # a cloze deletion (Anki's {{c1::text::hint}}): attrs number and hint; children the text it hides
    # What authors of GitHub's and Obsidian's Markdown write beyond CommonMark: alerts, diagrams, a little HTML.
    "alert",
    "diagram",
    "details",
    "summary",
    "kbd",
    "sub",
    "sup",
    "mark",
]
KINDS: frozenset[str] = frozenset(get_args(Kind))


@dataclass(frozen=True)
class Node:
    """One parsed Markdown element: a block or inline, with its children."""

    kind: Kind
    children: tuple[Node, ...] = ()
    text: str = ""
    attrs: tuple[tuple[str, str], ...] = ()
    line: int = 0

    def attr(self, name: str, default: str = "") -> str:
        """Return the value of one attribute."""
        return dict(self.attrs).get(name, default)

    def plain_text(self) -> str:
        """Return the visible text of this node and its descendants."""
        if self.kind in ("text", "code_inline", "math_inline", "math_block", "fence", "diagram"):
            return self.text
        if self.kind in ("softbreak", "hardbreak"):
            return " "
        if self.kind == "image":
            return self.attr("alt")
        sep = " " if self.kind in BLOCK_KINDS else ""
        return sep.join(child.plain_text() for child in self.children)


# What the checks and the outputs look up across the whole guide, found in one walk.
INDEXED_KINDS: frozenset[Kind] = frozenset({"link", "image", "math_inline", "math_block", "table", "diagram"})

BLOCK_KINDS: frozenset[Kind] = frozenset(
    {
        "root",
        "paragraph",
        "bullet_list",
        "ordered_list",
        "list_item",
        "blockquote",
        "heading",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "footnote",
        "dl",
        "dt",
        "dd",
        "alert",
        "details",
        "summary",
    }
)


@dataclass(frozen=True)
class Source:
    """Where something came from: a content file and a 1-based line."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Question:
    """One question with its answer."""

    id: str
    title: str
    tags: tuple[str, ...]
    answer: Node
    source: Source
    core: Node | None = None
    sources: Node | None = None
    see_also: tuple[str, ...] = ()
    see_also_line: int = 0  # the line of the 'See also:' field
    footnotes: tuple[Node, ...] = ()  # the notes the question refers to, numbered from 1 in order of reference
    reverse: bool = False  # 'Reverse: yes': a second card shows the core answer and asks for the question

    @cached_property
    def clozes(self) -> tuple[int, ...]:
        """Return the cloze numbers of the core answer and the answer, sorted (none: not a cloze question)."""
        return tuple(sorted({int(n) for tree in (self.core, self.answer) for n in cloze_numbers(tree)}))

    @property
    def cards(self) -> tuple[str, ...]:
        """Return the ids of its cards (as study mode keeps them): its id, or `id::c1`..., and `id::reverse`."""
        if self.clozes:
            return tuple(f"{self.id}::c{n}" for n in self.clozes)
        return (self.id, f"{self.id}::reverse") if self.reverse else (self.id,)

    def answer_text(self) -> str:
        """Return the answer's visible text."""
        return self.answer.plain_text()

    def trees(self) -> tuple[Node, ...]:
        """Return the question's Markdown trees: core answer, answer, sources, footnotes."""
        return (*(tree for tree in (self.core, self.answer, self.sources) if tree is not None), *self.footnotes)


def cloze_numbers(tree: Node | None) -> set[str]:
    """Return the cloze numbers a tree holds."""
    found: set[str] = set()
    stack = [] if tree is None else [tree]
    while stack:
        node = stack.pop()
        if node.kind == "cloze":
            found.add(node.attr("number"))
        stack.extend(node.children)
    return found


@dataclass(frozen=True)
class Section:
    """A named group of questions: one content file."""

    id: str
    title: str
    questions: tuple[Question, ...]
    source: Source


@dataclass(frozen=True)
class Meta:
    """Guide-wide metadata from guide.toml."""

    id: str
    title: str
    description: str
    author: str
    source: str
    language: str
    version: str
    date: str
    labels: tuple[tuple[str, str], ...] = ()  # the guide's own words for the outputs' labels: (key, text)


@dataclass(frozen=True)
class Guide:
    """The whole study guide."""

    meta: Meta
    sections: tuple[Section, ...]
    root: Path
    files: tuple[Path, ...] = field(default=())

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """Return every question, in reading order."""
        return tuple(q for s in self.sections for q in s.questions)

    @cached_property
    def _by_id(self) -> dict[str, Question]:
        """Map each question id to its question (the first, if content repeats an id)."""
        index: dict[str, Question] = {}
        for q in self.questions:
            index.setdefault(q.id, q)
        return index

    @cached_property
    def _indexed(self) -> tuple[tuple[Question, Node], ...]:
        """Return every link, image and formula node with its question, in reading order."""
        found = []
        for q in self.questions:
            for tree in q.trees():
                stack = [tree]
                while stack:  # depth first, children in order: a stack, no generator per level
                    node = stack.pop()
                    if node.kind in INDEXED_KINDS:
                        found.append((q, node))
                    if node.children:
                        stack.extend(reversed(node.children))
        return tuple(found)

    def nodes(self, *kinds: Kind) -> list[tuple[Question, Node]]:
        """Return the guide's nodes of these kinds (links, images, formulas), each with its question."""
        unknown = set(kinds) - INDEXED_KINDS
        if unknown:
            raise ValueError(f"not indexed: {', '.join(sorted(unknown))}")
        return [(q, node) for q, node in self._indexed if node.kind in kinds]

    def question(self, question_id: str) -> Question:
        """Return the question with this id."""
        return self._by_id[question_id]
