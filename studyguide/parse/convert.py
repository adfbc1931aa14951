"""markdown-it syntax trees into the model's Nodes (each with its own source line), and sections to and from JSON."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast, get_args

from studyguide.errors import Problem, Severity
from studyguide.model import KINDS, Kind, Node, Question, Section, Source
from studyguide.parse import subset

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.tree import SyntaxTreeNode


@functools.cache
def markdown() -> MarkdownIt:
    """Return the one Markdown parser: CommonMark and GitHub's additions, $ math as pandoc reads it; no raw HTML.

    GitHub's tables, strikethrough, task lists, bare URLs as links, footnotes (pandoc's inline
    `^[...]` notes too), alerts (`> [!NOTE]`: markdown-it's own rule, the one part of mdit-py-plugins'
    gfm_plugin wanted here: the rest would change autolinks, `~` and inline notes), and definition
    lists. A `$` opens a formula only when a non-space follows it, and closes one only after a
    non-space and before a non-digit, so prices ("from $5 to $7") stay text.
    """
    from markdown_it import MarkdownIt
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin

    parser = MarkdownIt("commonmark", {"html": False, "linkify": True})
    parser.enable(["table", "strikethrough", "linkify"])
    parser.options["alerts"] = True
    parser.use(dollarmath_plugin, allow_space=False, allow_digits=False)
    return parser.use(tasklists_plugin).use(footnote_plugin).use(deflist_plugin)


def line_of(block: SyntaxTreeNode) -> int:
    """Return a block's 1-based first line (0 when markdown-it gives none)."""
    return block.map[0] + 1 if block.map else 0


class _Lines:
    """The line an inline element stands on: its block's first line plus the line breaks before it."""

    def __init__(self, line: int) -> None:
        self.line = line


def convert(node: SyntaxTreeNode, line: int) -> Node:
    """Turn a markdown-it block (and everything in it) into a frozen model Node."""
    if node.map:
        line = node.map[0] + 1
    children: list[Node] = []
    inline = False
    for child in node.children:
        if child.type in ("footnote_anchor", "alert_title"):  # each output makes its own way back and title
            continue
        if child.type == "inline":
            inline = True
            lines = _Lines(line_of(child) or line)
            children.extend(_inline(grandchild, lines) for grandchild in child.children)
        else:
            children.append(convert(child, line))
    return _node(node, tuple(subset.inline(children) if inline else subset.blocks(children)), line)


def _inline(node: SyntaxTreeNode, lines: _Lines) -> Node:
    """Turn an inline element into a Node dated at its own line; a line break moves the later ones down."""
    line = lines.line
    children = [_inline(child, lines) for child in node.children if child.type != "footnote_anchor"]
    if node.type in ("softbreak", "hardbreak"):
        lines.line += 1
    elif node.type == "math_inline":
        lines.line += node.content.count("\n")
    return _node(node, tuple(subset.inline(children)) if children else (), line)


# markdown-it's token types that become another kind of the model (raw HTML is off: what the
# parser still calls HTML is shown as text; the task-list plugin's check box is a checkbox).
RENAMED: dict[str, Kind] = {
    "code_block": "fence",
    "math_block_label": "math_block",
    "html_inline": "text",
    "html_block": "text",
}


TOKEN_KINDS: dict[str, Kind] = {**{kind: kind for kind in get_args(Kind)}, **RENAMED}


def kind_of(token_type: str) -> Kind:
    """Return the model's kind for a markdown-it token type; a type the model has no kind for is a bug here."""
    kind = TOKEN_KINDS.get(token_type)
    if kind is None:
        raise ValueError(f"the model has no kind for the Markdown element '{token_type}'")
    return kind


def _node(node: SyntaxTreeNode, children: tuple[Node, ...], line: int) -> Node:
    """Return the model Node for one markdown-it node whose children are converted."""
    attrs: dict[str, str] = {}
    text = ""
    if node.type == "html_inline" and node.content.startswith('<input class="task-list-item-checkbox"'):
        # the task-list plugin's check box; raw HTML is off, so nothing else makes an html_inline
        return Node("checkbox", (), "", (("checked", "true" if " checked=" in node.content else ""),), line)
    kind = kind_of(node.type)
    if kind in ("text", "code_inline", "math_inline"):
        text = node.content
    elif kind == "fence":
        text = node.content
        attrs["lang"] = (node.info or "").strip().split(" ")[0] if node.type == "fence" and node.info else ""
        if attrs["lang"].lower() == "mermaid":  # a diagram, as GitHub, GitLab and Obsidian draw it
            return Node("diagram", (), text, (), line)
    elif kind == "math_block":
        text = node.content.strip()
    elif kind == "heading":
        attrs["level"] = node.tag[1:]
    elif kind == "link":
        attrs["href"] = str(node.attrs.get("href", ""))
    elif kind == "image":
        attrs["src"] = str(node.attrs.get("src", ""))
        attrs["alt"] = "".join(c.content for c in node.children)
        children = ()
    elif kind in ("footnote_ref", "footnote"):  # an inline note (`^[...]`) has an id but no label
        attrs["label"] = str(node.meta.get("label") or "")
        attrs["id"] = str(node.meta.get("id", ""))
    elif kind == "alert":
        attrs["kind"] = str(node.meta.get("kind", "note")).lower()
    elif kind == "list_item" and "task-list-item" in str(node.attrs.get("class", "")):
        attrs["task"] = "true"
    elif kind == "ordered_list":
        attrs["start"] = str(node.attrs.get("start", 1))
    elif kind in ("th", "td"):
        style = str(node.attrs.get("style", ""))
        if style.startswith("text-align:"):
            attrs["align"] = style.split(":", 1)[1]
    return Node(kind, children, text, tuple(sorted(attrs.items())), line)


# The parse cache holds each file's Section and problems as JSON (data, never code). A node is
# [kind, line, text, children, attrs] without its empty tail (most nodes are ["text", 3, "..."]):
# reading the cache is most of a small rebuild's time, so the form is the shortest that loads fast.


def node_data(node: Node) -> list[Any]:
    """Return a Node as JSON-able lists."""
    data: list[Any] = [
        node.kind,
        node.line,
        node.text,
        [node_data(c) for c in node.children],
        [list(a) for a in node.attrs],
    ]
    while len(data) > 2 and not data[-1]:
        data.pop()
    return data


def node_from(data: Any) -> Node:
    """Return the Node a `node_data` list describes; raise ValueError, TypeError or IndexError if it is not one.

    214,000 nodes at 4,200 questions: this checks only what a Node's users rely on and builds the
    children with a list, not a generator.
    """
    kind, line = data[0], data[1]
    text = data[2] if len(data) > 2 else ""
    if type(kind) is not str or type(text) is not str or type(line) is not int or kind not in KINDS:
        raise TypeError("not a node")
    children = tuple([node_from(child) for child in data[3]]) if len(data) > 3 and data[3] else ()
    attrs = tuple([(str(k), str(v)) for k, v in data[4]]) if len(data) > 4 else ()
    return Node(cast(Kind, kind), children, text, attrs, line)


def _optional(node: Node | None) -> list[Any] | None:
    return None if node is None else node_data(node)


def section_data(section: Section | None, problems: list[Problem]) -> dict[str, Any]:
    """Return one file's parse (its section, or None, and its problems) as JSON-able data."""
    found = [[p.line, p.message, p.severity] for p in problems]
    if section is None:
        return {"section": None, "problems": found}
    questions = [
        [q.id, q.title, list(q.tags), node_data(q.answer), q.source.line]
        + [_optional(q.core), _optional(q.sources), list(q.see_also), q.see_also_line]
        + [[node_data(note) for note in q.footnotes], q.reverse]
        for q in section.questions
    ]
    head = [section.id, section.title, section.source.line]
    return {"section": {"head": head, "questions": questions}, "problems": found}


def section_from(data: Any, path: Path) -> tuple[Section | None, list[Problem]]:
    """Return the section and problems `section_data` stored for the file at `path`; raise on any other shape."""
    problems = [Problem(path, int(line), str(message), _severity(level)) for line, message, level in data["problems"]]
    stored = data["section"]
    if stored is None:
        return None, problems
    questions = []
    for qid, title, tags, answer, line, core, sources, see_also, see_line, notes, reverse in stored["questions"]:
        questions.append(
            Question(
                id=str(qid),
                title=str(title),
                tags=tuple(str(t) for t in tags),
                answer=node_from(answer),
                source=Source(path, int(line)),
                core=None if core is None else node_from(core),
                sources=None if sources is None else node_from(sources),
                see_also=tuple(str(s) for s in see_also),
                see_also_line=int(see_line),
                footnotes=tuple(node_from(note) for note in notes),
                reverse=reverse is True,
            )
        )
    sid, title, line = stored["head"]
    return Section(id=str(sid), title=str(title), questions=tuple(questions), source=Source(path, int(line))), problems


def _severity(value: object) -> Severity:
    """Return a stored problem's severity (a stored entry of any other shape is parsed anew)."""
    if value == "warning":
        return "warning"
    if value == "error":
        return "error"
    raise ValueError(f"unknown severity {value!r}")
