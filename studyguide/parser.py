"""The one parser: content/ (guide.toml and one Markdown file per section) into the model."""

from __future__ import annotations

import functools
import gc
import hashlib
import pickle
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from . import versions
from .errors import ContentError, Problem
from .model import Guide, Meta, Node, Question, Section, Source
from .output import write_cache

if TYPE_CHECKING:  # imported when a file is parsed: a build whose files are all cached never needs them
    from markdown_it import MarkdownIt
    from markdown_it.tree import SyntaxTreeNode

META_FILE = "guide.toml"
META_KEYS = ("id", "title", "description", "author", "source", "language", "version", "date")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
HEADING_ID = re.compile(r"\s*\{([^{}]*)\}\s*$")
FIELD = re.compile(r"^(Tags|Sources|See also):\s*(.*)$", re.DOTALL)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LINK_SCHEMES = ("http://", "https://", "mailto:")
# Limits, documented in the README: beyond them a build stops with a clear message.
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_QUESTIONS = 20_000
MAX_TITLE_CHARS = 300
MAX_ANSWER_CHARS = 20_000


@functools.cache
def markdown() -> MarkdownIt:
    """Return the one Markdown parser: CommonMark, tables, $ math; raw HTML stays text."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    return MarkdownIt("commonmark", {"html": False}).enable("table").use(dollarmath_plugin)


def load_guide(root: Path, cache: Path | None = None) -> Guide:
    """Parse and validate a content folder; raise ContentError listing every problem.

    With a cache folder, each section file's parse is kept there, keyed by the file's bytes and the
    parser's own code, so a rebuild parses only the files that changed.
    """
    problems: list[Problem] = []
    if not root.is_dir():
        raise ContentError([Problem(root, 0, "content folder not found")])
    meta = _load_meta(root / META_FILE, problems)
    files = sorted(p for p in root.glob("*.md") if p.name.lower() != "readme.md")
    if not files:
        problems.append(Problem(root, 0, "no section files (*.md) in the content folder"))
    sections = []
    parsed = 0  # files parsed anew: their Markdown trees are garbage with cycles, left to the collector
    collecting = gc.isenabled()
    gc.disable()  # the model is a tree of many small objects without cycles: the collector only slows its loading
    try:
        for path in files:
            if cache is None:
                section, cached = _load_section(path, problems), False
            else:
                section, cached = _load_cached(path, problems, cache)
            parsed += not cached
            if section is not None:
                sections.append(section)
    finally:
        if collecting:
            if not parsed:
                # All from the cache (unpickling leaves no garbage): move the model out of the collector's
                # reach for good, as it lives until the build ends; scanning it cost 35 ms at 420 questions
                # and most of the deck's time at 4,200.
                gc.freeze()
            gc.enable()
    guide = Guide(meta=meta, sections=tuple(sections), root=root, files=tuple(files))
    if len(guide.questions) > MAX_QUESTIONS:
        problems.append(Problem(root, 0, f"{len(guide.questions)} questions: more than the limit of {MAX_QUESTIONS}"))
    _check_guide(guide, problems)
    if problems:
        raise ContentError(problems)
    return guide


@functools.cache
def _parser_key() -> str:
    """Return a hash of what decides a parse: this module, the model, the Markdown libraries."""
    digest = hashlib.sha256()
    for source in (Path(__file__), Path(__file__).with_name("model.py"), Path(__file__).with_name("errors.py")):
        digest.update(source.read_bytes())
    for library in ("markdown-it-py", "mdit-py-plugins"):
        digest.update(f"{library}={versions.version(library)}".encode())
    return digest.hexdigest()


def _load_cached(path: Path, problems: list[Problem], cache: Path) -> tuple[Section | None, bool]:
    """Return a section file's parse (and its problems) from the cache, parsing only on a miss; say if it hit."""
    try:
        data = path.read_bytes()
    except OSError:
        return _load_section(path, problems), False  # it reports the unreadable file
    key = hashlib.sha256(f"{_parser_key()}\0{path}\0".encode() + data).hexdigest()
    stored = cache / "parse" / key[:2] / f"{key}.pickle"
    try:
        section, found = pickle.loads(stored.read_bytes())
        hit = True
    except (OSError, EOFError, ValueError, TypeError, AttributeError, pickle.UnpicklingError):
        found = []
        section = _load_section(path, found)
        write_cache(stored, pickle.dumps((section, found), protocol=pickle.HIGHEST_PROTOCOL))
        hit = False
    problems.extend(found)
    return section, hit


def _read_text(path: Path, problems: list[Problem]) -> str | None:
    """Read a content file as UTF-8 text, reporting empty, binary and undecodable files."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(path, 0, f"cannot read file: {exc.strerror}"))
        return None
    if len(data) > MAX_FILE_BYTES:
        problems.append(Problem(path, 0, f"file is larger than the limit of {MAX_FILE_BYTES} bytes"))
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        problems.append(Problem(path, 1, "file is empty"))
        return None
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        problems.append(Problem(path, line, "binary file (NUL byte): content files must be UTF-8 text"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.append(Problem(path, line, f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"))
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _load_meta(path: Path, problems: list[Problem]) -> Meta:
    """Read guide.toml into Meta."""
    empty = Meta(*([""] * len(META_KEYS)))
    if not path.is_file():
        problems.append(Problem(path, 0, f"missing {META_FILE} with the guide's metadata"))
        return empty
    text = _read_text(path, problems)
    if text is None:
        return empty
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        problems.append(Problem(path, int(match.group(1)) if match else 1, f"invalid TOML: {exc}"))
        return empty
    lines = text.split("\n")

    def line_of(key: str) -> int:
        for number, line in enumerate(lines, start=1):
            if re.match(rf"^\s*{re.escape(key)}\s*=", line):
                return number
        return 1

    for key in data:
        if key not in META_KEYS:
            problems.append(
                Problem(path, line_of(key), f"unknown metadata key '{key}' (known: {', '.join(META_KEYS)})")
            )
    values = {}
    for key in META_KEYS:
        value = data.get(key)
        if value is None:
            problems.append(Problem(path, 1, f"missing metadata key '{key}'"))
            value = ""
        elif not isinstance(value, str) or not value.strip():
            problems.append(Problem(path, line_of(key), f"metadata key '{key}' must be a non-empty string"))
            value = ""
        values[key] = value.strip()
    if values["id"] and not SLUG.match(values["id"]):
        problems.append(
            Problem(
                path, line_of("id"), f"malformed guide id '{values['id']}': use lowercase letters, digits and hyphens"
            )
        )
    if values["date"] and not DATE.match(values["date"]):
        problems.append(Problem(path, line_of("date"), f"date '{values['date']}' must be YYYY-MM-DD"))
    return Meta(**values)


def _split_heading(text: str) -> tuple[str, str | None]:
    """Split 'Title {#id}' into the title and the raw text inside the braces."""
    match = HEADING_ID.search(text)
    if not match:
        return text.strip(), None
    return text[: match.start()].strip(), match.group(1).strip()


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


def _load_section(path: Path, problems: list[Problem]) -> Section | None:
    """Parse one section file: '# Section {#id}' then '## Question {#id}' blocks."""
    text = _read_text(path, problems)
    if text is None:
        return None
    from markdown_it.tree import SyntaxTreeNode

    blocks = SyntaxTreeNode(markdown().parse(text)).children
    section: tuple[str, str, int] | None = None
    questions: list[Question] = []
    current: tuple[str, str, int, list[SyntaxTreeNode]] | None = None

    def finish() -> None:
        if current is not None:
            question = _make_question(path, *current, problems)
            if question is not None:
                questions.append(question)

    for block in blocks:
        line = _line(block)
        if block.type == "heading" and block.tag == "h1":
            if section is not None:
                problems.append(Problem(path, line, "a second '# Section' heading: use one file per section"))
                continue
            title, raw = _split_heading(_inline_source(block))
            section = (title, _heading_id(raw, path, line, "section", problems), line)
        elif block.type == "heading" and block.tag == "h2":
            finish()
            title, raw = _split_heading(_inline_source(block))
            if section is None:
                problems.append(
                    Problem(
                        path, line, "question outside a section: start the file with '# Section title {#section-id}'"
                    )
                )
            if not title:
                problems.append(Problem(path, line, "question has an empty title"))
            current = (title, _heading_id(raw, path, line, "question", problems), line, [])
        elif current is not None:
            current[3].append(block)
        elif section is None:
            problems.append(
                Problem(
                    path, line, "text before the section heading: start the file with '# Section title {#section-id}'"
                )
            )
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


def _make_question(
    path: Path, title: str, qid: str, line: int, blocks: list[SyntaxTreeNode], problems: list[Problem]
) -> Question | None:
    """Build a Question from the blocks under its heading: fields, core answer, answer body."""
    fields: dict[str, SyntaxTreeNode] = {}
    body: list[SyntaxTreeNode] = []
    for index, block in enumerate(blocks):
        match = FIELD.match(block.children[0].content) if block.type == "paragraph" else None
        if match:
            name = match.group(1)
            if name in fields:
                problems.append(Problem(path, _line(block), f"second '{name}:' line in one question"))
            fields[name] = block
            if name == "Sources" and not match.group(2).strip():
                following = blocks[index + 1] if index + 1 < len(blocks) else None
                if following is None or following.type not in ("bullet_list", "ordered_list"):
                    problems.append(
                        Problem(path, _line(block), "'Sources:' needs the sources after it, on the line or as a list")
                    )
                else:
                    fields["Sources-list"] = following
            continue
        if "Sources-list" in fields and block is fields["Sources-list"]:
            continue
        body.append(block)
    tags: tuple[str, ...] = ()
    if "Tags" not in fields:
        problems.append(Problem(path, line, "question has no 'Tags:' line"))
    else:
        tags = _tags(fields["Tags"], path, problems)
    core = None
    if body and body[0].type == "blockquote":
        quote = _convert(body.pop(0), line)
        core = Node("root", quote.children, line=quote.line)
    if not body:
        problems.append(Problem(path, line, "question has no answer"))
    see_also = _see_also(fields["See also"], path, problems) if "See also" in fields else ()
    sources = None
    if "Sources-list" in fields:
        listing = _convert(fields["Sources-list"], line)
        sources = Node("root", (listing,), line=listing.line)
    elif "Sources" in fields:
        paragraph = _strip_field(_convert(fields["Sources"], line), "Sources:")
        sources = Node("root", (paragraph,), line=paragraph.line)
    answer = Node("root", tuple(_convert(b, _line(b)) for b in body), line=line)
    if not qid or not title:
        return None
    if len(title) > MAX_TITLE_CHARS:
        problems.append(
            Problem(path, line, f"title of {len(title)} characters: more than the limit of {MAX_TITLE_CHARS}")
        )
    size = len(answer.plain_text())
    if size > MAX_ANSWER_CHARS:
        problems.append(Problem(path, line, f"answer of {size} characters: more than the limit of {MAX_ANSWER_CHARS}"))
    return Question(
        id=qid,
        title=title,
        tags=tags,
        answer=answer,
        source=Source(path, line),
        core=core,
        sources=sources,
        see_also=see_also,
    )


def _tags(block: SyntaxTreeNode, path: Path, problems: list[Problem]) -> tuple[str, ...]:
    """Parse 'Tags: a, b, c'."""
    raw = FIELD.match(block.children[0].content)
    assert raw is not None
    tags = [t.strip() for t in raw.group(2).replace("\n", " ").split(",") if t.strip()]
    if not tags:
        problems.append(Problem(path, _line(block), "'Tags:' line lists no tags"))
    for tag in tags:
        if not SLUG.match(tag):
            problems.append(
                Problem(path, _line(block), f"malformed tag '{tag}': use lowercase letters, digits and hyphens")
            )
    if len(set(tags)) != len(tags):
        problems.append(Problem(path, _line(block), "a tag is listed twice"))
    return tuple(tags)


def _see_also(block: SyntaxTreeNode, path: Path, problems: list[Problem]) -> tuple[str, ...]:
    """Parse 'See also: [title](#id), ...' into question ids."""
    ids = []
    for node in _walk(block):
        if node.type == "link":
            href = str(node.attrs.get("href", ""))
            if href.startswith("#") and SLUG.match(href[1:]):
                ids.append(href[1:])
            else:
                problems.append(
                    Problem(path, _line(block), f"'See also:' link '{href}' must point at a question as (#question-id)")
                )
    if not ids:
        problems.append(Problem(path, _line(block), "'See also:' needs links of the form [title](#question-id)"))
    return tuple(ids)


def _strip_field(node: Node, label: str) -> Node:
    """Remove the leading 'Label:' text from a field paragraph."""
    first, *rest = node.children
    if first.kind == "text" and first.text.startswith(label):
        first = Node("text", text=first.text[len(label) :].lstrip(), line=first.line)
    return Node(node.kind, (first, *rest), node.text, node.attrs, node.line)


def _check_node(node: Node, path: Path, problems: list[Problem]) -> None:
    """Report a link or image that would leave the content: only web links, question anchors and local images."""
    if node.kind == "link":
        href = node.attr("href")
        if not (href.startswith(LINK_SCHEMES) or (href.startswith("#") and SLUG.match(href[1:]))):
            message = f"link '{href}' not allowed: use http(s)://, mailto: or #question-id"
            problems.append(Problem(path, node.line, message))
        return
    src = node.attr("src")
    if not src or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src) or src.startswith(("/", "\\")):
        problems.append(Problem(path, node.line, f"image '{src}' must be a relative path inside the content folder"))
        return
    target = (path.parent / src).resolve()
    if not target.is_relative_to(path.parent.resolve()):
        problems.append(Problem(path, node.line, f"image '{src}' is outside the content folder"))
    elif not target.is_file():
        problems.append(Problem(path, node.line, f"image '{src}' not found"))


def _check_guide(guide: Guide, problems: list[Problem]) -> None:
    """Check what spans files or depends on them: unique ids and titles, links, images."""
    for q, node in guide.nodes("link", "image"):
        _check_node(node, q.source.path, problems)
    seen_ids: dict[str, Source] = {}
    seen_titles: dict[str, Source] = {}
    for section in guide.sections:
        if section.id:
            if section.id in seen_ids:
                problems.append(
                    Problem(
                        section.source.path,
                        section.source.line,
                        f"duplicate id '{section.id}' (first used at {seen_ids[section.id]})",
                    )
                )
            seen_ids.setdefault(section.id, section.source)
        for q in section.questions:
            if q.id in seen_ids:
                problems.append(
                    Problem(q.source.path, q.source.line, f"duplicate id '{q.id}' (first used at {seen_ids[q.id]})")
                )
            seen_ids.setdefault(q.id, q.source)
            key = q.title.casefold()
            if key in seen_titles:
                problems.append(
                    Problem(
                        q.source.path, q.source.line, f"duplicate question title (first used at {seen_titles[key]})"
                    )
                )
            seen_titles.setdefault(key, q.source)
    question_ids = {q.id for q in guide.questions}
    see_also = [(q, target) for q in guide.questions for target in q.see_also]
    anchors = [(q, n.attr("href")[1:]) for q, n in guide.nodes("link") if n.attr("href").startswith("#")]
    for q, target in see_also + anchors:
        if target not in question_ids:
            problems.append(Problem(q.source.path, q.source.line, f"link to unknown question id '{target}'"))
        elif target == q.id:
            problems.append(Problem(q.source.path, q.source.line, "a question links to itself"))


def _line(block: SyntaxTreeNode) -> int:
    """Return a block's 1-based first line."""
    return block.map[0] + 1 if block.map else 0


def _inline_source(block: SyntaxTreeNode) -> str:
    """Return the raw inline Markdown of a heading or paragraph."""
    return block.children[0].content if block.children else ""


def _walk(node: SyntaxTreeNode) -> Iterator[SyntaxTreeNode]:
    yield node
    for child in node.children:
        yield from _walk(child)


def _convert(node: SyntaxTreeNode, line: int) -> Node:
    """Turn a markdown-it syntax tree node into a frozen model Node."""
    if node.map:
        line = node.map[0] + 1
    children: list[Node] = []
    for child in node.children:
        if child.type == "inline":
            children.extend(_convert(grandchild, line) for grandchild in child.children)
        else:
            children.append(_convert(child, line))
    kind = node.type
    attrs: dict[str, str] = {}
    text = ""
    if kind in ("text", "code_inline", "math_inline", "html_inline", "html_block"):
        text = node.content
    elif kind in ("fence", "code_block"):
        kind, text = "fence", node.content
        attrs["lang"] = (node.info or "").strip().split(" ")[0] if kind == "fence" and node.info else ""
    elif kind in ("math_block", "math_block_label"):
        kind, text = "math_block", node.content.strip()
    elif kind == "heading":
        attrs["level"] = node.tag[1:]
    elif kind == "link":
        attrs["href"] = str(node.attrs.get("href", ""))
    elif kind == "image":
        attrs["src"] = str(node.attrs.get("src", ""))
        attrs["alt"] = "".join(c.content for c in node.children)
        children = []
    elif kind == "ordered_list":
        attrs["start"] = str(node.attrs.get("start", 1))
    elif kind in ("th", "td"):
        style = str(node.attrs.get("style", ""))
        if style.startswith("text-align:"):
            attrs["align"] = style.split(":", 1)[1]
    if kind in ("html_inline", "html_block"):
        kind = "text"
    return Node(kind, tuple(children), text, tuple(sorted(attrs.items())), line)
