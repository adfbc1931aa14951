"""Problems for machines: a stable short code per kind, `check --json` objects and GitHub Actions annotations.

A problem's `code` is set where it is found when that code knows it; the messages this table
names (their wording is kept exactly, so it also names their kind) get theirs here, first
match wins. A code never changes once released: tools and CI filters depend on it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from studyguide.errors import Problem
from studyguide.errors import shown as visible

CODES: tuple[tuple[str, str], ...] = (
    ("duplicate-id", r"^duplicate id "),
    ("duplicate-title", r"^duplicate question title"),
    ("unknown-link", r"^link to unknown question id "),
    ("self-link", r"^a question links to itself"),
    ("refused-link", r"^link '.*' not allowed"),
    ("see-also", r"^'See also:' "),
    ("formula", r"^formula .* cannot be rendered"),
    ("formula-in-table", r"^a '\|' inside a formula in this table row"),
    ("image", r"^images? "),
    ("over-limit", r"more than the limit of |longer than the limit of "),
    ("missing-id", r" has no id: end the heading with "),
    ("malformed-id", r"^malformed (guide )?id "),
    ("malformed-tag", r"^malformed tag "),
    ("repeated-tag", r"^a tag is listed twice"),
    ("empty-tags", r"^'Tags:' line lists no tags"),
    ("missing-tags", r"^question has no 'Tags:' line"),
    ("unknown-tag", r"^tag '.*' is not in "),
    ("no-tag-vocabulary", r"^no tag vocabulary"),
    ("missing-answer", r"^question has no answer"),
    ("empty-title", r"^(section|question) has an empty title"),
    ("empty-section", r"^section has no questions"),
    ("empty-sources", r"^'Sources:' needs "),
    ("repeated-field", r"^second '.*:' line in one question"),
    ("second-section", r"^a second '# Section' heading"),
    ("question-outside-section", r"^question outside a section"),
    ("text-outside-question", r"^text (before the section heading|outside a question)"),
    ("no-section-heading", r"^no '# Section title "),
    ("empty-file", r"^file (is empty|has no content)"),
    ("no-sections", r"^no section files "),
    ("no-content-folder", r"^content folder not found"),
    ("binary-file", r"^binary file "),
    ("invalid-utf8", r"^invalid UTF-8 "),
    ("missing-guide-toml", r"^missing guide\.toml"),
    ("invalid-toml", r"^invalid TOML"),
    ("unknown-key", r"^unknown metadata key "),
    ("missing-key", r"^missing metadata key "),
    ("invalid-metadata", r"^metadata key '.*' must be "),
    ("control-character", r" holds the control character "),
    ("invalid-date", r"^date '.*' (must be|is not a day)"),
    ("invalid-language", r"^language '.*' is not a BCP 47"),
    ("no-catalogue", r"^no catalogue for language "),
    ("invalid-label", r"^(label '|unknown label '|'labels' must be)"),
    ("footnote", r"^footnote \[\^"),
    ("setext-heading", r"turns the paragraph above into a heading"),
    ("raw-html", r"^raw HTML is shown as text"),
    ("stray-dollar", r"^a '\$' here opens or closes no formula"),
    ("no-core-answer", r" has no core answer "),
    ("twin-answer", r"^answer is \d+% like "),
    ("unprintable", r"would print as a box in the PDF"),
    ("anki-lock", r"^the Anki lock "),
    ("git-in-content", r"questions are not dated"),
    ("future-commit", r"^commit \S+ is dated .*, in the future"),
    ("unreadable", r"^(file |refused to load)"),
    ("cloze-place", r"^a cloze .*(in the title|in the sources|in the footnote|inside a formula)"),
    ("cloze-nesting", r"^the cloze \{\{c\d+:: is inside another cloze"),
    ("cloze-number", r"^the cloze \{\{c\d+:: has no card"),
    ("cloze-empty", r"^the cloze \{\{c\d+:: has no text"),
    ("cloze-hint", r"^the hint of the cloze "),
    ("cloze-unclosed", r"^the cloze \{\{c\d+:: (is never closed|must close)"),
    ("reverse", r"^'Reverse:"),
)
_COMPILED = tuple((code, re.compile(pattern)) for code, pattern in CODES)
QUOTED = re.compile(r"'([^']{1,200})'")


def code_of(problem: Problem) -> str:
    """Return a problem's stable code: its own, else the first kind its message matches, else `content`."""
    if problem.code:
        return problem.code
    return next((code for code, pattern in _COMPILED if pattern.search(problem.message)), "content")


def column_of(problem: Problem, lines: dict[Path, list[str]]) -> int | None:
    """Return the 1-based column of what a message quotes, when it stands exactly once on the problem's line."""
    text = lines.get(problem.path)
    if not problem.line or text is None or problem.line > len(text):
        return None
    line = text[problem.line - 1]
    for quoted in QUOTED.findall(problem.message):
        if line.count(quoted) == 1:
            return line.index(quoted) + 1
    return None


def read_lines(problems: list[Problem], limit: int = 2 * 1024 * 1024) -> dict[Path, list[str]]:
    """Return the lines of every regular file the problems name (each read once, at most `limit` bytes)."""
    found: dict[Path, list[str]] = {}
    for path in {p.path for p in problems if p.line}:
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_size <= limit:
                found[path] = path.read_bytes().decode("utf-8", "replace").splitlines()
        except OSError:
            continue
    return found


def as_json(problems: list[Problem]) -> str:
    """Return the problems as one JSON array of objects: path, line, column, severity, message, code."""
    lines = read_lines(problems)
    return json.dumps(
        [
            {
                "path": str(p.path),
                "line": p.line or None,
                "column": column_of(p, lines),
                "severity": p.severity,
                "message": p.message,
                "code": code_of(p),
            }
            for p in problems
        ],
        indent=2,  # ASCII only: no character of a message can act on a terminal the JSON is shown on
    )


def _escaped(text: str, property_value: bool = False) -> str:
    """Escape text for a workflow command, as GitHub's toolkit does (`%`, CR, LF; also `:` and `,` in properties)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def as_github(problems: list[Problem]) -> str:
    """Return one GitHub Actions annotation line per problem (`::error file=...,line=...::message`)."""
    lines = read_lines(problems)
    shown = []
    for p in problems:
        where = {"file": str(p.path), "line": str(p.line) if p.line else "", "title": f"studyguide {code_of(p)}"}
        column = column_of(p, lines)
        if column:
            where["col"] = str(column)
        properties = ",".join(f"{key}={_escaped(value, True)}" for key, value in where.items() if value)
        shown.append(f"::{p.severity} {properties}::{_escaped(visible(p.message))}")
    return "\n".join(shown)
