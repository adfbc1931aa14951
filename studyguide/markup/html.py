"""The one shared rendering path: model Nodes to escaped HTML, with hooks for what differs per output."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import TypedDict

from studyguide.markup.alerts import alert_html
from studyguide.markup.bidi import isolated
from studyguide.model import Node


def plain_math(tex: str, display: bool) -> str:
    """Show a formula as escaped TeX source."""
    tag = "div" if display else "span"
    return f'<{tag} class="math">{escape(tex)}</{tag}>'


def plain_code(code: str, lang: str) -> str:
    """Show a code block without highlighting."""
    cls = f' class="language-{escape(lang)}"' if lang else ""
    return f"<pre><code{cls}>{escape(code)}</code></pre>"


def plain_image(src: str, alt: str) -> str:
    """Show an image by its content-relative path."""
    return f'<img src="{escape(src)}" alt="{escape(alt)}">'


def same_link(href: str) -> str:
    """Keep a link target as it is."""
    return href


def no_note(href: str) -> str:
    """Add nothing after a link's text."""
    return ""


def plain_footnote_ref(number: str) -> str:
    """Show a reference to a footnote as its number, raised."""
    return f'<sup class="footnote-ref">{escape(number)}</sup>'


def plain_checkbox(checked: bool, done: str = "done", to_do: str = "to do") -> str:
    """Show a task list's box, ticked or not, named for screen readers; it cannot be changed."""
    state = f' checked aria-label="{escape(done)}"' if checked else f' aria-label="{escape(to_do)}"'
    return f'<input type="checkbox" disabled{state}>'


def marked_cloze(number: str, hint: str, inner: str) -> str:
    """Show a cloze filled in and marked (its number and hint kept for the page's study mode)."""
    hinted = f' data-hint="{escape(hint)}"' if hint else ""
    return f'<span class="cloze" data-cloze="{escape(number)}"{hinted}>{inner}</span>'


def plain_diagram(source: str) -> str:
    """Show a diagram as its source (an output that draws diagrams places the drawing)."""
    return plain_code(source, "mermaid")


@dataclass(frozen=True)
class Hooks:
    """What each output renders its own way: math, code, images and links."""

    math: Callable[[str, bool], str] = plain_math
    code: Callable[[str, str], str] = plain_code
    image: Callable[[str, str], str] = plain_image
    link: Callable[[str], str] = same_link
    link_note: Callable[[str], str] = no_note  # escaped HTML after a link's text, inside the link
    text: Callable[[str], str] = escape  # plain text to HTML: escaped (and, for cards, kept from MathJax)
    footnote_ref: Callable[[str], str] = plain_footnote_ref  # a reference to the question's note number N
    checkbox: Callable[[bool], str] = plain_checkbox
    cloze: Callable[[str, str, str], str] = marked_cloze  # (number, hint, the hidden text's HTML) -> HTML
    question_links: bool = True  # False where another question cannot be opened (a card): the link's text only
    alert: Callable[[str, str], str] = alert_html  # (kind, its blocks' HTML): a callout, titled in the guide's language
    diagram: Callable[[str], str] = plain_diagram  # a diagram's source -> its drawing
    details_open: bool = False  # <details> shown open (paper, cards) or closed until opened (the page)
    # The direction of the text around, for a reader that does not order a line's inline elements by the
    # bidirectional algorithm (WeasyPrint): runs of the other direction are isolated (bidi.py). '' for a browser.
    direction: str = ""
    # Keep an inline formula on one line with the punctuation right after it: a browser may break between
    # an image and a comma (CSS Text: around an atomic inline); WeasyPrint never does.
    glue: bool = False


# Elements whose children are a line's inline content: where runs of the other direction are isolated.
INLINE_PARENTS = frozenset(
    {"paragraph", "heading", "th", "td", "dt", "em", "strong", "s", "link", "cloze", "summary", "sub", "sup", "mark"}
)
# What follows a formula without a space and belongs on its line: closing punctuation, a suffix ("-th").
TRAILING = re.compile(r"[^\s(\[{“‘«„‚¿¡]+")


def children_html(node: Node, hooks: Hooks) -> str:
    """Render a node's children: runs of the other direction isolated, or formulas glued to what follows."""
    children = node.children
    if hooks.direction and node.kind in INLINE_PARENTS:
        return isolated(children, hooks.direction, lambda child, way: to_html(child, with_direction(hooks, way)))
    if hooks.glue and any(child.kind == "math_inline" for child in children):
        return glued(children, hooks)
    return "".join([to_html(child, hooks) for child in children])


def glued(children: tuple[Node, ...], hooks: Hooks) -> str:
    """Render inline children, each formula in one unbreakable span with the punctuation right after it."""
    out: list[str] = []
    placed = 0  # characters of this text already placed after the formula before it
    for index, child in enumerate(children):
        if placed:
            out.append(hooks.text(child.text[placed:]))
            placed = 0
            continue
        after = children[index + 1] if index + 1 < len(children) else None
        tail = TRAILING.match(after.text) if child.kind == "math_inline" and after and after.kind == "text" else None
        if tail is None:
            out.append(to_html(child, hooks))
            continue
        out.append(f'<span class="math-tail">{to_html(child, hooks)}{hooks.text(tail.group())}</span>')
        placed = tail.end()
    return "".join(out)


def to_html(node: Node, hooks: Hooks = Hooks()) -> str:
    """Render a node and its children as HTML; every text is escaped, raw HTML never passes."""
    if node.kind == "text":  # most nodes: no children to render first
        return hooks.text(node.text)
    inner = children_html(node, hooks) if node.children else ""
    return RULES[node.kind](node, inner, hooks)


# One rule a kind, as markdown-it-py's renderer has one per token type: (node, its children's HTML, hooks) -> HTML.
Rule = Callable[[Node, str, Hooks], str]


def _tag(name: str) -> Rule:
    """Return the rule of an element that is one HTML tag around its children."""
    return lambda node, inner, hooks: f"<{name}>{inner}</{name}>"


def _list_item(node: Node, inner: str, hooks: Hooks) -> str:
    """A task list's item: its box stands where the bullet would."""
    return f'<li class="task">{inner}</li>' if node.attrs else f"<li>{inner}</li>"


def _link(node: Node, inner: str, hooks: Hooks) -> str:
    """A link: to another question (text only where questions cannot be opened), or out of the guide."""
    href = node.attr("href")
    if not hooks.question_links and href.startswith("#"):
        return f'<span class="question-ref">{inner}</span>'
    bare = ' class="url"' if node.plain_text() in (href, href.removeprefix("mailto:")) else ""
    return f'<a href="{escape(hooks.link(href))}"{bare}>{inner}{hooks.link_note(href)}</a>'


def _heading(node: Node, inner: str, hooks: Hooks) -> str:
    """A heading inside an answer: one level below the question's own."""
    level = min(int(node.attr("level", "3")) + 1, 6)
    return f"<h{level}>{inner}</h{level}>"


def _ordered_list(node: Node, inner: str, hooks: Hooks) -> str:
    """A numbered list, starting where the author's did."""
    start = node.attr("start", "1")
    return f'<ol start="{escape(start)}">{inner}</ol>' if start != "1" else f"<ol>{inner}</ol>"


def _details(node: Node, inner: str, hooks: Hooks) -> str:
    """A block the reader opens: open where nothing can be clicked (paper) or where all is shown at once (cards)."""
    state = " open" if hooks.details_open else ""
    return f'<details class="block"{state}>{inner}</details>'


def _cell(name: str) -> Rule:
    """Return the rule of a table cell, aligned as the table's delimiter row says."""

    def cell(node: Node, inner: str, hooks: Hooks) -> str:
        align = node.attr("align")
        style = f' style="text-align:{escape(align)}"' if align in ("left", "center", "right") else ""
        return f"<{name}{style}>{inner}</{name}>"

    return cell


class Rules(TypedDict):
    """The HTML rule of every kind of the model (`model.Kind`): a kind without a rule is a type error."""

    root: Rule
    paragraph: Rule
    heading: Rule
    blockquote: Rule
    bullet_list: Rule
    ordered_list: Rule
    list_item: Rule
    checkbox: Rule
    fence: Rule
    hr: Rule
    table: Rule
    thead: Rule
    tbody: Rule
    tr: Rule
    th: Rule
    td: Rule
    dl: Rule
    dt: Rule
    dd: Rule
    text: Rule
    softbreak: Rule
    hardbreak: Rule
    strong: Rule
    em: Rule
    s: Rule
    code_inline: Rule
    link: Rule
    image: Rule
    math_inline: Rule
    math_block: Rule
    footnote_ref: Rule
    footnote: Rule
    cloze: Rule
    alert: Rule
    diagram: Rule
    details: Rule
    summary: Rule
    kbd: Rule
    sub: Rule
    sup: Rule
    mark: Rule


RULES: Rules = {
    "root": lambda node, inner, hooks: inner,
    "paragraph": _tag("p"),
    "heading": _heading,
    "blockquote": _tag("blockquote"),
    "bullet_list": _tag("ul"),
    "ordered_list": _ordered_list,
    "list_item": _list_item,
    "checkbox": lambda node, inner, hooks: hooks.checkbox(node.attr("checked") == "true"),
    "fence": lambda node, inner, hooks: hooks.code(node.text, node.attr("lang")),
    "hr": lambda node, inner, hooks: "<hr>",
    "table": _tag("table"),
    "thead": _tag("thead"),
    "tbody": _tag("tbody"),
    "tr": _tag("tr"),
    "th": _cell("th"),
    "td": _cell("td"),
    "dl": _tag("dl"),
    "dt": _tag("dt"),
    "dd": _tag("dd"),
    "text": lambda node, inner, hooks: hooks.text(node.text),
    "softbreak": lambda node, inner, hooks: "\n",
    "hardbreak": lambda node, inner, hooks: "<br>",
    "strong": _tag("strong"),
    "em": _tag("em"),
    "s": _tag("s"),
    "code_inline": lambda node, inner, hooks: f"<code>{escape(node.text)}</code>",
    "link": _link,
    "image": lambda node, inner, hooks: hooks.image(node.attr("src"), node.attr("alt")),
    "math_inline": lambda node, inner, hooks: hooks.math(node.text, False),
    "math_block": lambda node, inner, hooks: hooks.math(node.text, True),
    "footnote_ref": lambda node, inner, hooks: hooks.footnote_ref(node.attr("number")),
    "footnote": lambda node, inner, hooks: inner,  # a question's notes are listed by notes_html
    "cloze": lambda node, inner, hooks: hooks.cloze(node.attr("number"), node.attr("hint"), inner),
    "alert": lambda node, inner, hooks: hooks.alert(node.attr("kind"), inner),
    "diagram": lambda node, inner, hooks: hooks.diagram(node.text),
    "details": _details,
    "summary": _tag("summary"),
    "kbd": _tag("kbd"),
    "sub": _tag("sub"),
    "sup": _tag("sup"),
    "mark": _tag("mark"),
}


def with_direction(hooks: Hooks, direction: str) -> Hooks:
    """Return the hooks for content read in `direction` (the same hooks when it is theirs)."""
    return hooks if direction == hooks.direction else dataclasses.replace(hooks, direction=direction)


def notes_html(notes: tuple[Node, ...], hooks: Hooks, item: Callable[[str, str], str] | None = None) -> str:
    """Return a question's footnotes as a numbered list; `item(number, html)` may wrap each (links back)."""
    if not notes:
        return ""
    items = []
    for note in notes:
        number, inner = note.attr("number"), to_html(Node("root", note.children), hooks)
        items.append(item(number, inner) if item else f"<li>{inner}</li>")
    return f'<ol class="footnotes">{"".join(items)}</ol>'


def inline_html(node: Node, hooks: Hooks) -> str:
    """Return a note's content on one line: its paragraphs' text joined by spaces (for a footnote printed in place)."""
    return " ".join(
        to_html(Node("root", block.children), hooks) if block.kind == "paragraph" else to_html(block, hooks)
        for block in node.children
    )
