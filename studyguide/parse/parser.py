"""The one parser: each section file of content/ into the model, cached per file as data."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studyguide.errors import Problem
from studyguide.model import Guide, Node, Question, Section, Source
from studyguide.parse import clozes, footnotes, pitfalls, subset
from studyguide.parse import fields as lines
from studyguide.parse.convert import convert, line_of, markdown, section_data, section_from
from studyguide.parse.fields import FIELD, strip_field
from studyguide.parse.reading import MAX_FILE_BYTES, SLUG, ReadError, decode, load_meta, read_bytes
from studyguide.store.cache import Cache

if TYPE_CHECKING:  # imported when a file is parsed: a build whose files are all cached never needs them
    from markdown_it.tree import SyntaxTreeNode

HEADING_ID = re.compile(r"\s*\{([^{}]*)\}\s*$")
# Limits, documented in the README: beyond them a build stops with a clear message.
MAX_QUESTIONS = 20_000
START = "start the file with '# Section title {#section-id}'"
MAX_TITLE_CHARS = 300
MAX_ANSWER_CHARS = 20_000


def section_files(root: Path) -> list[Path]:
    """Return the section files: every `*.md` of the folder but README.md and hidden (dot) files, sorted."""
    return sorted(p for p in root.glob("*.md") if p.name.lower() != "readme.md" and not p.name.startswith("."))


def parse(root: Path, cache: Cache | None = None) -> tuple[Guide, list[Problem]]:
    """Parse a content folder into the model and the problems each file has on its own (never raises).

    With a cache, each section file's parse is kept there, keyed by the file's path and bytes, so a
    rebuild parses only the files that changed.
    """
    problems: list[Problem] = []
    if not root.is_dir():
        return Guide(load_meta(root, []), (), root), [Problem(root, 0, "content folder not found")]
    meta = load_meta(root, problems)
    files = section_files(root)
    if not files:
        problems.append(Problem(root, 0, "no section files (*.md) in the content folder"))
    sections = []
    for path in files:
        section = _parse_file(path, root, cache or Cache(None), problems)
        if section is not None:
            sections.append(section)
    guide = Guide(meta=meta, sections=tuple(sections), root=root, files=tuple(files))
    if len(guide.questions) > MAX_QUESTIONS:
        problems.append(Problem(root, 0, f"{len(guide.questions)} questions: more than the limit of {MAX_QUESTIONS}"))
    return guide, problems


def _parse_file(path: Path, root: Path, cache: Cache, problems: list[Problem]) -> Section | None:
    """Return one section file's parse (adding its problems), from the cache when the file is unchanged."""
    try:
        data = read_bytes(path, root, MAX_FILE_BYTES)
    except ReadError as exc:
        problems.append(Problem(path, 0, f"file {exc}"))
        return None
    key = cache.key("parse", os.fsencode(path), data)
    stored = cache.get_json("parse", key)
    if stored is not None:
        try:
            section, found = section_from(stored, path)
            problems.extend(found)
            return section
        except (KeyError, IndexError, TypeError, ValueError):  # not what this code stores: parse anew
            pass
    found = []
    text = decode(data, path, found)
    section = None if text is None else _parse_section(path, text, found)
    cache.put_json("parse", key, section_data(section, found))
    problems.extend(found)
    return section


def _split_heading(text: str) -> tuple[str, str | None]:
    """Split 'Title {#id}' into the title and the raw text inside the braces."""
    match = HEADING_ID.search(text)
    if not match:
        return subset.with_emoji(text.strip()), None
    return subset.with_emoji(text[: match.start()].strip()), match.group(1).strip()


def _heading_id(raw: str | None, path: Path, line: int, what: str, problems: list[Problem]) -> str:
    """Validate the `{#id}` of a heading and return the id ('' when invalid)."""
    if raw is None:
        problems.append(Problem(path, line, f"{what} has no id: end the heading with {{#some-id}}"))
        return ""
    if not raw.startswith("#") or not SLUG.match(raw[1:]):
        problems.append(
            Problem(
                path, line, f"malformed id '{{{raw}}}': write {{#some-id}} with lowercase letters, digits and hyphens"
            )
        )
        return ""
    return raw[1:]


def _section_heading(path: Path, block: SyntaxTreeNode, problems: list[Problem]) -> tuple[str, str, int]:
    """Return a section heading's title, id and line, reporting an empty or too long title."""
    line = line_of(block)
    title, raw = _split_heading(lines.inline_source(block))
    if not title:
        problems.append(Problem(path, line, "section has an empty title"))
    elif len(title) > MAX_TITLE_CHARS:
        message = f"section title of {len(title)} characters: more than the limit of {MAX_TITLE_CHARS}"
        problems.append(Problem(path, line, message))
    return title, _heading_id(raw, path, line, "section", problems), line


def _parse_section(path: Path, text: str, problems: list[Problem]) -> Section | None:
    """Parse one section file's text: '# Section {#id}' then '## Question {#id}' blocks."""
    from markdown_it.tree import SyntaxTreeNode

    env: dict[str, Any] = {}
    blocks, notes = footnotes.definitions(SyntaxTreeNode(markdown().parse(text, env)).children)
    footnotes.unreferenced(path, text, env, problems)
    blocks = pitfalls.checked(path, text, blocks, problems, env)
    section: tuple[str, str, int] | None = None
    questions: list[Question] = []
    current: tuple[str, str, int, list[SyntaxTreeNode]] | None = None

    def finish() -> None:
        if current is not None:
            question = _make_question(path, *current, notes, problems)
            if question is not None:
                questions.append(question)

    for block in blocks:
        line = line_of(block)
        if block.type == "heading" and block.tag == "h1":
            if section is not None:
                problems.append(Problem(path, line, "a second '# Section' heading: use one file per section"))
                continue
            section = _section_heading(path, block, problems)
        elif block.type == "heading" and block.tag == "h2":
            finish()
            title, raw = _split_heading(lines.inline_source(block))
            if section is None:
                problems.append(Problem(path, line, f"question outside a section: {START}"))
            if not title:
                problems.append(Problem(path, line, "question has an empty title"))
            current = (title, _heading_id(raw, path, line, "question", problems), line, [])
        elif current is not None:
            current[3].append(block)
        elif section is None:
            problems.append(Problem(path, line, f"text before the section heading: {START}"))
        else:
            problems.append(Problem(path, line, "text outside a question: put it under a '## Question {#id}' heading"))
    finish()
    if section is None:
        if not blocks:
            problems.append(Problem(path, 1, "file has no content"))
        elif not any(p.path == path for p in problems):
            problems.append(Problem(path, 1, "no '# Section title {#section-id}' heading"))
        return None
    if not questions and not any(p.path == path for p in problems):
        problems.append(Problem(path, section[2], "section has no questions"))
    return Section(id=section[1], title=section[0], questions=tuple(questions), source=Source(path, section[2]))


def _fields(
    path: Path, blocks: list[SyntaxTreeNode], problems: list[Problem]
) -> tuple[dict[str, SyntaxTreeNode], list[SyntaxTreeNode]]:
    """Split the blocks under a question heading into its fields (Tags, See also, Sources) and the rest."""
    fields: dict[str, SyntaxTreeNode] = {}
    body: list[SyntaxTreeNode] = []
    for index, block in enumerate(blocks):
        match = FIELD.match(block.children[0].content) if block.type == "paragraph" else None
        if match:
            name = match.group(1)
            if name in fields:
                problems.append(Problem(path, line_of(block), f"second '{name}:' line in one question"))
            fields[name] = block
            if name == "Sources" and not match.group(2).strip():
                following = blocks[index + 1] if index + 1 < len(blocks) else None
                if following is None or following.type not in ("bullet_list", "ordered_list"):
                    message = "'Sources:' needs the sources after it, on the line or as a list"
                    problems.append(Problem(path, line_of(block), message))
                else:
                    fields["Sources-list"] = following
            continue
        if "Sources-list" in fields and block is fields["Sources-list"]:
            continue
        body.append(block)
    return fields, body


def _make_question(
    path: Path,
    title: str,
    qid: str,
    line: int,
    blocks: list[SyntaxTreeNode],
    notes: dict[str, Node],
    problems: list[Problem],
) -> Question | None:
    """Build a Question from the blocks under its heading: fields, core answer, answer body, its footnotes."""
    fields, body = _fields(path, blocks, problems)
    tags: tuple[str, ...] = ()
    if "Tags" not in fields:
        problems.append(Problem(path, line, "question has no 'Tags:' line"))
    else:
        tags = lines.tags(fields["Tags"], path, problems)
    core = None
    if body and body[0].type == "blockquote":
        quote = convert(body.pop(0), line)
        core = clozes.find(Node("root", quote.children, line=quote.line), path, problems)
    if not body:
        problems.append(Problem(path, line, "question has no answer"))
    see_also = lines.see_also(fields["See also"], path, problems) if "See also" in fields else ()
    sources = None
    if "Sources-list" in fields:
        listing = convert(fields["Sources-list"], line)
        sources = Node("root", (listing,), line=listing.line)
    elif "Sources" in fields:
        paragraph = strip_field(convert(fields["Sources"], line), "Sources:")
        sources = Node("root", (paragraph,), line=paragraph.line)
    answer = clozes.find(
        Node("root", tuple(subset.blocks([convert(b, line_of(b)) for b in body])), line=line), path, problems
    )
    core, answer, sources, notes_used = footnotes.attach(core, answer, sources, notes)
    footnotes.check(path, [core, answer, sources], problems)
    subset.leftovers(path, [core, answer, sources, *notes_used], problems)
    reverse = clozes.check(path, title, line, (core, answer, sources, notes_used), fields.get("Reverse"), problems)
    if not qid or not title:
        return None
    if len(title) > MAX_TITLE_CHARS:
        message = f"title of {len(title)} characters: more than the limit of {MAX_TITLE_CHARS}"
        problems.append(Problem(path, line, message))
    size = len(answer.plain_text())
    if size > MAX_ANSWER_CHARS:
        problems.append(Problem(path, line, f"answer of {size} characters: more than the limit of {MAX_ANSWER_CHARS}"))
    see_also_line = line_of(fields["See also"]) if "See also" in fields else 0
    return Question(
        qid, title, tags, answer, Source(path, line), core, sources, see_also, see_also_line, notes_used, reverse
    )
