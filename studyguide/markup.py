"""The one shared rendering path: model Nodes to escaped HTML, with hooks for what differs per output."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from .model import Node

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


@dataclass(frozen=True)
class Hooks:
    """What each output renders its own way: math, code, images and links."""

    math: Callable[[str, bool], str] = plain_math
    code: Callable[[str, str], str] = plain_code
    image: Callable[[str, str], str] = plain_image
    link: Callable[[str], str] = same_link
    link_note: Callable[[str], str] = no_note  # escaped HTML after a link's text, inside the link
    text: Callable[[str], str] = escape  # plain text to HTML: escaped (and, for cards, kept from MathJax)


def to_html(node: Node, hooks: Hooks = Hooks()) -> str:
    """Render a node and its children as HTML; every text is escaped, raw HTML never passes."""
    kind = node.kind
    if kind == "text":  # most nodes: checked first
        return hooks.text(node.text)
    inner = "".join([to_html(child, hooks) for child in node.children]) if node.children else ""
    tag = SIMPLE_TAGS.get(kind)
    if tag is not None:
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
        return f'<a href="{escape(hooks.link(href))}">{inner}{hooks.link_note(href)}</a>'
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
    raise ValueError(f"no HTML for Markdown element '{kind}'")
