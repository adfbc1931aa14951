"""The one rendering path from model nodes to escaped HTML, with the hooks each output fills in."""

from studyguide.markup.html import Hooks, inline_html, notes_html, plain_checkbox, plain_code, to_html

__all__ = ["Hooks", "inline_html", "notes_html", "plain_checkbox", "plain_code", "to_html"]
