"""The one shared rendering path: model Nodes to escaped HTML, with hooks for what differs per output."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from studyguide.markup.bidi import isolated
from studyguide.model import Node

SIMPLE_TAGS = {
    "paragraph": "p",
    "bullet_list": "ul",
    "list_item": "li",
    "blockquote": "blockquote",
    "strong": "strong",
    "em": "em",
    "s": "s",
    "table": "table",
    "thead": "thead",
    "tbody": "tbody",
    "tr": "tr",
    "dl": "dl",
    "dt": "dt",
    "dd": "dd",
}


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
    question_links: bool = True  # False where another question cannot be opened (a card): the link's text only
    # The direction of the text around, for a reader that does not order a line's inline elements by the
    # bidirectional algorithm (WeasyPrint): runs of the other direction are isolated (bidi.py). '' for a browser.
    direction: str = ""
    # Keep an inline formula on one line with the punctuation right after it: a browser may break between
    # an image and a comma (CSS Text: around an atomic inline); WeasyPrint never does.
    glue: bool = False


# Elements whose children are a line's inline content: where runs of the other direction are isolated.
INLINE_PARENTS = frozenset({"paragraph", "heading", "th", "td", "dt", "em", "strong", "s", "link"})
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
    kind = node.kind
    if kind == "text":  # most nodes: checked first
        return hooks.text(node.text)
    inner = children_html(node, hooks) if node.children else ""
    tag = SIMPLE_TAGS.get(kind)
    if tag is not None:
        if node.attrs and kind == "list_item":  # a task list's item: its box stands where the bullet would
            return f'<li class="task">{inner}</li>'
        return f"<{tag}>{inner}</{tag}>"
    if kind == "root":
        return inner
    if kind == "softbreak":
        return "\n"
    if kind == "hardbreak":
        return "<br>"
    if kind == "code_inline":
        return f"<code>{escape(node.text)}</code>"
    if kind == "fence":
        return hooks.code(node.text, node.attr("lang"))
    if kind == "math_inline":
        return hooks.math(node.text, False)
    if kind == "math_block":
        return hooks.math(node.text, True)
    if kind == "image":
        return hooks.image(node.attr("src"), node.attr("alt"))
    if kind == "link":
        href = node.attr("href")
        if not hooks.question_links and href.startswith("#"):
            return f'<span class="question-ref">{inner}</span>'
        bare = ' class="url"' if node.plain_text() in (href, href.removeprefix("mailto:")) else ""
        return f'<a href="{escape(hooks.link(href))}"{bare}>{inner}{hooks.link_note(href)}</a>'
    if kind == "heading":
        level = min(int(node.attr("level", "3")) + 1, 6)
        return f"<h{level}>{inner}</h{level}>"
    if kind == "ordered_list":
        start = node.attr("start", "1")
        return f'<ol start="{escape(start)}">{inner}</ol>' if start != "1" else f"<ol>{inner}</ol>"
    if kind in ("th", "td"):
        align = node.attr("align")
        style = f' style="text-align:{escape(align)}"' if align in ("left", "center", "right") else ""
        return f"<{kind}{style}>{inner}</{kind}>"
    if kind == "hr":
        return "<hr>"
    if kind == "footnote_ref":
        return hooks.footnote_ref(node.attr("number"))
    if kind == "checkbox":
        return hooks.checkbox(node.attr("checked") == "true")
    raise ValueError(f"no HTML for Markdown element '{kind}'")


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
