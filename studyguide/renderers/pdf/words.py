"""The printed guide's own words where the stylesheet writes them: running header, footer, direction."""

from __future__ import annotations

from markupsafe import Markup

from studyguide.i18n import Messages


def css_string(text: str) -> str:
    """Return text as a CSS string: quotes, backslashes, line breaks and "<" escaped (it ends up in a <style>)."""
    escaped = "".join(f"\\{ord(c):x} " if c in '"\\<>\n\r\f' else c for c in text)
    return f'"{escaped}"'


def css_pieces(text: str, values: dict[str, str]) -> str:
    """Return a CSS `content` value from text whose \\0name\\0 marks stand for CSS values (counters)."""
    parts = text.split("\0")
    pieces = [values[part] if k % 2 else css_string(part) for k, part in enumerate(parts) if k % 2 or part]
    return " ".join(pieces)


def print_words(words: Messages, footer: bool, total: int | None) -> dict[str, object]:
    """Return what print.css writes in the guide's language: "page X of Y", the headers' words, the two sides."""
    shown = "none"
    if footer:
        pages = "counter(pages)" if total is None else css_string(str(total))
        text = words.text("page-of", "page %(page)s of %(pages)s", page="\0page\0", pages="\0pages\0")
        shown = css_pieces(text, {"page": "counter(page)", "pages": pages})
    mark = "\0section\0"
    answers = words.text("answers-running-header", "Answers: %(section)s", section=mark).split(mark)
    start, end = ("right", "left") if words.direction == "rtl" else ("left", "right")
    return {
        "footer": Markup(shown),
        "direction": words.direction,
        "start": start,
        "end": end,
        "contents": Markup(css_string(words.text("contents", "Contents"))),
        "continued": Markup(css_string(words.text("code-continued", "(continued)"))),
        "answers_before": Markup(css_string(answers[0])),
        "answers_after": Markup(css_string(answers[1]) if len(answers) > 1 and answers[1] else ""),
    }
