"""Code blocks: Pygments to static HTML with CSS classes, and the light and dark styles for each output."""

from __future__ import annotations

from studyguide.markup.html import plain_code

LIGHT = "xcode"  # passes contrast checks (facts.md); Pygments' `friendly` does not
DARK = "monokai"
BLOCK = ".highlight"


def highlight(code: str, lang: str) -> str:
    """Return a code block as highlighted HTML; an unknown or missing language gives plain escaped code."""
    import pygments
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    if not lang:
        return plain_code(code, lang)
    try:
        lexer = get_lexer_by_name(lang, stripnl=False)
    except ClassNotFound:
        return plain_code(code, lang)
    formatter = HtmlFormatter(cssclass=BLOCK[1:], wrapcode=True)
    html: str = pygments.highlight(code, lexer, formatter)
    return html.rstrip("\n")


def _rules(style: str, scope: str) -> list[str]:
    """Return one style's background and token rules under a selector scope."""
    from pygments.formatters import HtmlFormatter

    formatter = HtmlFormatter(style=style)
    selector = f"{scope} {BLOCK}".strip()
    return [*formatter.get_background_style_defs(selector), *formatter.get_token_style_defs(selector)]


def light_css(scroll: bool = True) -> str:
    """Return the light style (also the PDF's, where nothing scrolls): black text on white, xcode token colours."""
    base = [
        f"{BLOCK} {{ padding: 0.5em 0.75em; border-radius: 4px;{' overflow-x: auto;' if scroll else ''} }}",
        # On a screen a long line scrolls in its box (wrapped, it would lose its indentation); on paper it
        # wraps, each line hanging under its own indentation (places.hanging_lines).
        f"{BLOCK} pre {{ margin: 0; padding: 0; background: transparent; color: inherit; "
        f"white-space: {'pre' if scroll else 'pre-wrap'}; }}",
        f"{BLOCK} {{ color: #000000; }}",
    ]
    return "\n".join(base + _rules(LIGHT, ""))


def dark_css(scope: str) -> str:
    """Return the dark style under a scope: reset every light token colour, then monokai."""
    reset = (
        f"{scope} {BLOCK} span {{ color: inherit; background-color: transparent; "
        "font-weight: inherit; font-style: inherit; }"
    )
    return "\n".join([reset, *_rules(DARK, scope)])
