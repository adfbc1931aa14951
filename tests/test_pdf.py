"""The printed guide, read back with pypdf and poppler: text, outline, TOC, links, metadata, bytes, fetcher."""

from __future__ import annotations

import dataclasses
import hashlib
import http.server
import re
import shutil
import struct
import subprocess
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from readers import BULLETS, pdf_text

from studyguide.build.pipeline import load, load_guide
from studyguide.check.dates import build_epoch
from studyguide.cli import main
from studyguide.errors import ContentError
from studyguide.model import Guide, Node, Question, Section
from studyguide.renderers.paper import RefusedResource, make_fetcher
from studyguide.renderers.pdf import PdfRenderer
from studyguide.renderers.pdf.layout import ANSWER_PREFIX
from studyguide.stages import TEMPLATES, Options

FIXTURES = Path(__file__).resolve().parent / "fixtures"
A4_WIDTH, LETTER_WIDTH = 595.28, 612.0  # points, from the paper standards


def key(text: str) -> str:
    """Comparison form of PDF text: join words broken at line ends, drop hyphens, fold whitespace."""
    text = re.sub(r"[-\u2010\u00ad]\s*\n\s*", "", text)  # WeasyPrint hyphenates with U+2010
    text = re.sub(r"[-\u2010\u00ad]", "", text)
    return " ".join(word for word in text.split() if word not in BULLETS)


def phrase(q: Question, words: int = 8) -> str:
    """A distinctive phrase of the answer: its first words, from the model."""
    return " ".join(q.answer_text().split()[:words])


Entry = tuple[str, int, list["Entry"]]


def outline(reader: PdfReader, items: list[Any] | None = None) -> list[Entry]:
    """Return the outline as a tree of (title, page index, children)."""
    entries: list[Entry] = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            entries[-1][2].extend(outline(reader, item))
        else:
            page = reader.get_destination_page_number(item)
            assert item.title is not None and page is not None
            entries.append((item.title, page, []))
    return entries


def destination_page(reader: PdfReader, name: str) -> int:
    """Return the page index a named destination opens."""
    page = reader.get_destination_page_number(reader.named_destinations[name])
    assert page is not None
    return page


def link_targets(reader: PdfReader, page: int) -> set[str]:
    """Return the named destinations that the links on one page point at."""
    annotations = reader.pages[page].get("/Annots") or []
    return {str(a.get_object().get("/Dest")) for a in annotations if a.get_object().get("/Subtype") == "/Link"}


@pytest.fixture(scope="module")
def full(built: dict[str, Path]) -> Path:
    """The A4 full edition of the real content, built by the command line."""
    return built["pdf"]


@pytest.fixture(scope="module")
def quiz(tmp_path_factory: pytest.TempPathFactory, guide: Guide) -> Path:
    """The self-test edition on US Letter, built by the command line."""
    out = tmp_path_factory.mktemp("quiz")
    content = Path(__file__).resolve().parent.parent / "content"
    assert (
        main(
            [
                "--format",
                "pdf",
                "--paper",
                "letter",
                "--pdf-edition",
                "quiz",
                "--content",
                str(content),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    path = out / f"{guide.meta.id}-letter-quiz.pdf"
    assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == [path.name]
    return path


def test_text_holds_every_title_and_answer(full: Path, guide: Guide) -> None:
    text = key("\n".join(pdf_text(full)))
    for q in guide.questions:
        assert key(q.title) in text, q.id
        assert key(phrase(q)) in text, q.id


def test_outline_sections_and_questions_open_their_pages(full: Path, guide: Guide) -> None:
    reader = PdfReader(full)
    pages = [key(t) for t in pdf_text(full)]
    entries = outline(reader)
    assert [title for title, _, _ in entries] == [s.title for s in guide.sections]
    for (_, page, children), section in zip(entries, guide.sections, strict=True):
        assert key(section.title) in pages[page]
        assert [child for child, _, _ in children] == [q.title for q in section.questions]
        for (_, child_page, grandchildren), q in zip(children, section.questions, strict=True):
            assert grandchildren == []
            assert key(q.title) in pages[child_page], q.id
            assert child_page == destination_page(reader, q.id)


def test_toc_prints_the_outline_page_numbers(full: Path, guide: Guide) -> None:
    reader = PdfReader(full)
    texts = pdf_text(full, layout=True)  # the page numbers stand in a column of their own: read line by line
    first_section = destination_page(reader, guide.sections[0].id)
    toc = key("\n".join(texts[1:first_section]))
    assert "Contents" in toc[:100]
    links = set().union(*(link_targets(reader, page) for page in range(1, first_section)))
    entries = {title: page for title, page, _ in outline(reader)}
    entries |= {title: page for _, _, children in outline(reader) for title, page, _ in children}
    items: list[Section | Question] = [*guide.sections, *guide.questions]
    for item in items:
        match = re.search(re.escape(key(item.title)) + r"[\s.]*?(\d+)(?!\d)", toc)
        assert match, item.id
        assert int(match.group(1)) == entries[item.title] + 1 == destination_page(reader, item.id) + 1, item.id
    assert {q.id for q in guide.questions} | {s.id for s in guide.sections} <= links


def test_question_title_stays_with_its_answer(full: Path, guide: Guide) -> None:
    reader = PdfReader(full)
    pages = [key(t) for t in pdf_text(full)]
    for q in guide.questions:
        page = destination_page(reader, q.id)
        assert key(phrase(q, 3)) in pages[page], f"{q.id}: title alone at the bottom of page {page + 1}"


def test_running_header_and_footer_not_on_cover(full: Path, guide: Guide) -> None:
    reader = PdfReader(full)
    texts = pdf_text(full)
    total = len(texts)
    assert not re.search(r"page \d+ of \d+", texts[0])
    assert not any(s.title.upper() in texts[0] for s in guide.sections)
    for index in range(1, total):
        assert f"page {index + 1} of {total}" in texts[index]
    starts = [page for _, page, _ in outline(reader)] + [total]
    for section, begin, end in zip(guide.sections, starts, starts[1:], strict=False):
        for index in range(begin, end):
            assert section.title.upper() in texts[index], (section.id, index + 1)


def test_metadata(full: Path, guide: Guide) -> None:
    reader = PdfReader(full)
    info = reader.metadata
    assert info is not None
    assert info.title == guide.meta.title
    assert (info.author or "") == guide.meta.author  # none when guide.toml names none
    assert info.subject == guide.meta.description
    keywords = [k.strip() for k in str(info["/Keywords"]).split(",")]
    assert set(keywords) == {tag for q in guide.questions for tag in q.tags}
    assert str(reader.root_object["/Lang"]) == guide.meta.language
    assert info.creation_date is not None and int(info.creation_date.timestamp()) == build_epoch(guide.meta)
    assert "/StructTreeRoot" in reader.root_object  # tagged (PDF/UA-1)


def test_fonts_embedded(full: Path) -> None:
    listing = subprocess.run(["pdffonts", str(full)], check=True, capture_output=True, text=True).stdout
    rows = listing.splitlines()[2:]
    assert rows
    for row in rows:
        assert row.split()[-5] == "yes", row  # columns from the right: emb sub uni object-id generation


def test_two_builds_give_identical_bytes(full: Path, guide: Guide) -> None:
    """The command line's build (laid out in parts, joined) and a second layout, in this process, without a cache."""
    again = PdfRenderer().render(load(guide.root, Options()))
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(full.read_bytes()).hexdigest()


def test_paper_sizes(full: Path, quiz: Path) -> None:
    assert abs(float(PdfReader(full).pages[0].mediabox.width) - A4_WIDTH) < 0.5
    assert abs(float(PdfReader(quiz).pages[0].mediabox.width) - LETTER_WIDTH) < 0.5


def test_file_names(guide: Guide) -> None:
    renderer, gid = PdfRenderer(), guide.meta.id
    assert renderer.filename(guide, Options()) == f"{gid}.pdf"
    assert renderer.filename(guide, Options(paper="letter")) == f"{gid}-letter.pdf"
    assert renderer.filename(guide, Options(edition="quiz")) == f"{gid}-quiz.pdf"


def test_quiz_links_questions_and_answers_both_ways(quiz: Path, guide: Guide) -> None:
    reader = PdfReader(quiz)
    pages = [key(t) for t in pdf_text(quiz)]
    answers_start = destination_page(reader, "_answers")
    entries = outline(reader)
    assert [title for title, _, _ in entries] == [s.title for s in guide.sections] + ["Answers"]
    answer_entries = {title: page for _, _, sections in entries[-1:] for _, _, qs in sections for title, page, _ in qs}
    question_entries = {title: page for _, _, qs in entries[:-1] for title, page, _ in qs}
    assert answer_entries.keys() == question_entries.keys() == {q.title for q in guide.questions}
    for q in guide.questions:
        question_page = destination_page(reader, q.id)
        answer_page = destination_page(reader, ANSWER_PREFIX + q.id)
        assert question_page < answers_start <= answer_page
        assert key(q.title) in pages[question_page]
        assert key(phrase(q, 3)) not in pages[question_page] or key(phrase(q, 3)) in key(q.title)
        assert key(q.title) in pages[answer_page] and key(phrase(q, 3)) in pages[answer_page], q.id
        assert (question_entries[q.title], answer_entries[q.title]) == (question_page, answer_page)
        assert ANSWER_PREFIX + q.id in link_targets(reader, question_page)
        assert q.id in link_targets(reader, answer_page)
    text = key("\n".join(pages[answers_start:]))
    for q in guide.questions:
        assert key(phrase(q)) in text, q.id


# A small guide that uses every optional field, an image and links.
EXTRA = """
## How is an image shown? {#image-question}

Tags: testing

See also: [What is a fixture?](#fixture)

Sources:

- Written for the PDF tests.

> Images come from the content folder.

![a small square](square.png)

It links back to [the fixture question](#fixture) inside the guide.
"""


def png_square(size: int = 8) -> bytes:
    """Return a small grey PNG, written by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture()
def rich(tmp_path: Path) -> Guide:
    """The valid fixture guide plus a question with a core answer, see-also, sources and an image."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    with (content / "01-basics.md").open("a", encoding="utf-8") as handle:
        handle.write(EXTRA)
    (content / "square.png").write_bytes(png_square())
    return load_guide(content)


def test_core_see_also_sources_and_image(rich: Guide, tmp_path: Path) -> None:
    path = tmp_path / "rich.pdf"
    path.write_bytes(PdfRenderer().render(load(rich.root, Options())))
    reader = PdfReader(path)
    q = rich.question("image-question")
    assert q.core is not None and q.sources is not None
    page = destination_page(reader, q.id)
    text = key(pdf_text(path)[page])
    text = text[text.index(key(q.title)) :]
    last_paragraph = " ".join(q.answer.children[-1].plain_text().split()[:5])  # the first one is the image
    core, answer, sources = key(q.core.plain_text()), key(last_paragraph), key(q.sources.plain_text())
    assert text.index(core) < text.index(answer) < text.index("See also") < text.index(sources)
    target = rich.question(q.see_also[0])
    assert key(target.title) in text
    assert target.id in link_targets(reader, page)
    assert f"(question {rich.questions.index(target) + 1})" in text
    assert len(reader.pages[page].images) == 1  # the PNG was embedded


def with_image(guide: Guide, src: str) -> Guide:
    """Return the guide with the first image of its content pointed at another URL (as if the parser let it by)."""

    def swap(node: Node) -> Node:
        if node.kind == "image":
            return dataclasses.replace(node, attrs=tuple((k, src if k == "src" else v) for k, v in node.attrs))
        return dataclasses.replace(node, children=tuple(swap(child) for child in node.children))

    sections = tuple(
        dataclasses.replace(s, questions=tuple(dataclasses.replace(q, answer=swap(q.answer)) for q in s.questions))
        for s in guide.sections
    )
    return dataclasses.replace(guide, sections=sections)


class CountingHandler(http.server.BaseHTTPRequestHandler):
    """Counts every request it gets; answers with a tiny PNG-less 404."""

    hits = 0

    def do_GET(self) -> None:  # noqa: N802
        type(self).hits += 1
        self.send_error(404)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def server() -> Iterator[http.server.HTTPServer]:
    """A local HTTP server on 127.0.0.1 that counts requests; stopped after the test."""
    CountingHandler.hits = 0
    httpd = http.server.HTTPServer(("127.0.0.1", 0), CountingHandler)
    httpd.timeout = 1
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


# (A `file:` URL never becomes an image: markdown-it refuses the scheme and keeps the text.)
@pytest.mark.parametrize("kind", ["absolute", "outside", "loopback"])
def test_content_naming_outside_resources_fails_with_its_line(
    rich: Guide, server: http.server.HTTPServer, kind: str
) -> None:
    port = server.server_address[1]
    src = {
        "absolute": "/etc/hostname",
        "outside": "../../../../../../etc/hostname",
        "loopback": f"http://127.0.0.1:{port}/x.png",
    }[kind]
    image = next(n for q in rich.questions for tree in [q.answer] for n in walk(tree) if n.kind == "image")
    owner = rich.question("image-question")
    text = owner.source.path.read_text(encoding="utf-8")
    owner.source.path.write_text(text.replace("(square.png)", f"({src})"), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load(rich.root)
    problems = info.value.problems
    assert [(p.path, p.line) for p in problems] == [(owner.source.path, image.line)]
    assert f"image '{src}'" in str(problems[0])
    assert CountingHandler.hits == 0


def test_the_fetcher_refuses_an_image_that_slipped_past_validation(rich: Guide) -> None:
    """Were validation to let an image outside the folder by, the PDF's fetcher still loads nothing outside."""
    job = load(rich.root)
    images = job.resources.images
    outside = {src: dataclasses.replace(image, path=Path("/etc/hostname")) for src, image in images.items()}
    job = dataclasses.replace(job, resources=dataclasses.replace(job.resources, images=outside))
    with pytest.raises(RefusedResource, match="refused to load 'file:///etc/hostname'"):
        PdfRenderer().render(job)


def walk(node: Node) -> list[Node]:
    """Return a node and all its descendants."""
    return [node, *(n for child in node.children for n in walk(child))]


def test_template_naming_outside_resources_fails_with_its_line(
    rich: Guide, tmp_path: Path, server: http.server.HTTPServer
) -> None:
    port = server.server_address[1]
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    css = templates / "pdf" / "print.css"
    lines = css.read_text(encoding="utf-8").split("\n")
    css.write_text(
        "\n".join([*lines, f'body {{ background: url("http://127.0.0.1:{port}/bg.png"); }}']), encoding="utf-8"
    )
    with pytest.raises(RefusedResource) as info:
        PdfRenderer().render(load(rich.root, Options(templates=templates)))
    assert str(info.value).startswith(f"{css}:{len(lines) + 1}: refused to load 'http://127.0.0.1:{port}/bg.png'")
    assert CountingHandler.hits == 0


def test_fetcher_refuses_directly(tmp_path: Path, server: http.server.HTTPServer) -> None:
    from weasyprint.urls import FatalURLFetchingError

    inside = tmp_path / "content"
    inside.mkdir()
    (inside / "ok.txt").write_text("fine", encoding="utf-8")
    policy, fetcher = make_fetcher([inside])
    assert fetcher.fetch((inside / "ok.txt").as_uri()).read() == b"fine"  # type: ignore[attr-defined]
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"  # type: ignore[attr-defined]
    refused = [
        "file:///etc/hostname",
        (inside / ".." / ".." / "etc" / "hostname").as_uri(),
        f"http://127.0.0.1:{server.server_address[1]}/x.png",
        "file://127.0.0.1/etc/hostname",
    ]
    for url in refused:
        with pytest.raises(FatalURLFetchingError):
            fetcher.fetch(url)  # type: ignore[attr-defined]
    assert policy.refused == refused
    assert CountingHandler.hits == 0


WORDS = "gradient descent moves every weight a small step against the slope of the loss".split()


def breaks_guide(root: Path, sweep: range) -> Path:
    """Write a guide whose sections push a long answer's title ever closer to the bottom of a page."""
    shutil.copyfile(FIXTURES / "valid" / "guide.toml", root / "guide.toml")
    for i in sweep:
        short = "\n\n".join(f"Short line {n} of filler." for n in range(i))
        long = "\n\n".join(
            " ".join(WORDS[(n + k) % len(WORDS)] for k in range(110)) + f" end{i}x{n}." for n in range(12)
        )
        (root / f"{i:02d}.md").write_text(
            f"# Sweep {i} {{#sweep-{i}}}\n\n## Filler {i} {{#filler-{i}}}\n\nTags: a\n\n{short}\n\n"
            f"## Long answer {i} {{#long-{i}}}\n\nTags: a\n\n{long}\n",
            encoding="utf-8",
        )
    return root


def test_titles_never_alone_and_long_answers_break_between_paragraphs(tmp_path: Path) -> None:
    guide = load_guide(breaks_guide(tmp_path, range(24, 33)))
    path = tmp_path / "breaks.pdf"
    path.write_bytes(PdfRenderer().render(load(guide.root, Options())))
    reader = PdfReader(path)
    pages = [key(t) for t in pdf_text(path)]
    for q in guide.questions:
        page = destination_page(reader, q.id)
        assert key(phrase(q, 4)) in pages[page], f"{q.id}: title alone at the bottom of page {page + 1}"
        for paragraph in q.answer.children:
            assert any(key(paragraph.plain_text()) in text for text in pages), f"{q.id}: paragraph split across pages"


def test_links_name_the_question_number(tmp_path: Path) -> None:
    """A link to another question, in See also or inside an answer, prints that question's number."""
    import shutil

    from studyguide.build.pipeline import load_guide

    content = tmp_path / "content"
    shutil.copytree(Path(__file__).parent / "fixtures" / "valid", content)
    section = content / "01-basics.md"
    text = section.read_text(encoding="utf-8")
    section.write_text(text.replace("Tests catch", "Tests (see [fixtures](#fixture)) catch"), encoding="utf-8")
    guide = load_guide(content)
    path = tmp_path / "out.pdf"
    path.write_bytes(PdfRenderer().render(load(guide.root, Options())))
    number = guide.questions.index(guide.question("fixture")) + 1
    page = key(" ".join(pdf_text(path)))
    assert page.count(f"(question {number})") == 2  # See also, and the link in the answer
    assert f"fixtures (question {number})" in page


def test_a_sources_list_is_run_in_without_bullets_over_its_text(tmp_path: Path) -> None:
    """A Sources line of several items is set run-in; the item bullets of lists (drawn before an item's first
    paragraph, in its margin) were drawn over the label's colon and between the items ('9(8)•. Gers')."""
    out = tmp_path / "out"
    assert main(["--format", "pdf", "--content", str(FIXTURES.parent.parent / "content"), "--out", str(out)]) == 0
    (pdf,) = out.glob("*.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines = [chunk.split("\n\n")[0] for chunk in text.split("Sources:")[1:]]
    assert len(lines) > 40 and not [line for line in lines if "•" in line], [line for line in lines if "•" in line][:2]
