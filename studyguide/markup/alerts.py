"""GitHub's alerts (`> [!NOTE]` ...) as callouts: a title in the guide's language and an icon drawn inline.

The icon is a small inline SVG in the text's colour, hidden from screen readers (the title names
the callout); the same markup serves the page, the PDF and the cards, each styling it in its CSS.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

# The five kinds GitHub draws, and the title each shows in English (the catalogue's msgid).
KINDS = ("note", "tip", "important", "warning", "caution")
ENGLISH = {"note": "Note", "tip": "Tip", "important": "Important", "warning": "Warning", "caution": "Caution"}

# Icons on a 16-unit grid, drawn here (no icon set is needed for five shapes): an "i" in a circle, a
# light bulb, a "!" in a speech bubble, a "!" in a triangle, a "!" in an octagon.
MARK = "M7.25 4h1.5v5h-1.5zM7.25 10.5h1.5V12h-1.5z"
ICONS = {
    "note": "M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1zm0 1.5a5.5 5.5 0 1 1 0 11 5.5 5.5 0 0 1 0-11z"
    "M7.25 7h1.5v5h-1.5zM7.25 4h1.5v1.5h-1.5z",
    "tip": "M8 1a5 5 0 0 0-3 9v2h6v-2a5 5 0 0 0-3-9zm0 1.5a3.5 3.5 0 0 1 2 6.4l-.5.3V10.5h-3V9.2l-.5-.3A3.5 3.5 0 0 1 "
    "8 2.5zM5.5 13h5v1.5h-5z",
    "important": "M1 2h14v10H6l-3 3v-3H1zm1.5 1.5v7H4.5v1.4l1.4-1.4h7.6v-7z" + MARK,
    "warning": "M8 1 15.5 14.5H.5zm0 3L3 13h10z" + MARK,
    "caution": "M5 1h6l4 4v6l-4 4H5l-4-4V5zm.6 1.5L2.5 5.6v4.8l3.1 3.1h4.8l3.1-3.1V5.6l-3.1-3.1z" + MARK,
}


def icon(kind: str) -> str:
    """Return one kind's icon as inline SVG, in the text's colour, hidden from screen readers."""
    return (
        '<svg class="alert-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">'
        f'<path fill="currentColor" fill-rule="evenodd" d="{ICONS[kind]}"/></svg>'
    )


def english_title(kind: str) -> str:
    """Return an alert's title in English."""
    return ENGLISH[kind]


def alert_html(kind: str, inner: str, title: Callable[[str], str] = english_title) -> str:
    """Return a callout: its icon and title, then the alert's own blocks."""
    kind = kind if kind in ICONS else "note"
    head = f'<p class="alert-title">{icon(kind)}<span>{escape(title(kind))}</span></p>'
    return f'<div class="alert alert-{kind}" role="note">{head}{inner}</div>'


# Each kind's colour as GitHub shows it, on a light and on a dark background (4.5:1 or more against both).
COLOURS = {
    "note": ("#0969da", "#4493f8"),
    "tip": ("#1a7f37", "#3fb950"),
    "important": ("#8250df", "#ab7df8"),
    "warning": ("#9a6700", "#d29922"),
    "caution": ("#d1242f", "#f85149"),
}
# The callouts' and the small HTML's shape: the same in every output; each output adds its colours.
NOTATION_CSS = """\
.alert { margin: 0.8em 0; padding: 0.45em 0.9em; border-inline-start: 4px solid var(--alert); }
.alert > :last-child { margin-bottom: 0; }
.alert-title { margin: 0 0 0.3em; font-weight: bold; color: var(--alert); }
.alert-icon { width: 1em; height: 1em; vertical-align: -0.15em; margin-inline-end: 0.4em; }
details.block { margin: 0.8em 0; padding: 0.3em 0.8em; border: 1px solid var(--details-line, #d0d4da); }
details.block > summary { font-weight: bold; margin: 0.2em 0; }
kbd { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 0.85em; padding: 0 0.3em;
  border: 1px solid currentColor; border-bottom-width: 2px; border-radius: 3px; white-space: nowrap; }
.diagram { margin: 0.8em 0; text-align: center; }
.diagram svg, .diagram img { max-width: 100%; height: auto; }
.diagram .label { font-size: inherit; font-weight: normal; font-variant: normal; text-transform: none;
  letter-spacing: normal; margin: 0; }
"""

# On paper: a <details> block is open and its summary a plain heading; <mark> a light tint that prints.
PRINTED_NOTATION = """\
details.block > summary { list-style: none; }
details.block > summary::marker { content: none; }  /* WeasyPrint refuses a list naming ::-webkit-details-marker */
mark { background: #fff1a8; color: inherit; }
.alert, details.block, .diagram { break-inside: avoid; }
"""


def alert_colours(scope: str = "", dark: bool = False) -> str:
    """Return the CSS that gives each kind of callout its colour (light, or dark), under an optional scope."""
    prefix = f"{scope} " if scope else ""
    return "".join(f"{prefix}.alert-{kind} {{ --alert: {pair[int(dark)]}; }}\n" for kind, pair in COLOURS.items())
