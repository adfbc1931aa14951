"""The PDF set like a book, read back with poppler and pikepdf: one family, every script, code, contents, cover."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

import pikepdf
import pytest
from pypdf import PdfReader
from readers import pdf_text

from studyguide.build.pipeline import load_guide
from studyguide.cli import main
from studyguide.model import Guide, Node

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "print"
SUBSET = re.compile(r"^[A-Z]{6}\+")
CODE_KINDS = ("code_inline", "fence")


@dataclass(frozen=True)
class Word:
    """One word pdftotext found, with its box in points."""

    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float = 0.0

    @classmethod
    def read(cls, element: ET.Element) -> Word:
        """Return the word of one <word> element of pdftotext -bbox."""
        return cls(element.text or "", *(float(element.get(k, 0)) for k in ("xMin", "yMin", "xMax", "yMax")))


def build(content: Path, out: Path) -> Path:
    """Build a guide's PDF with the command line and return its path."""
    assert main(["--format", "pdf", "--content", str(content), "--out", str(out)]) == 0
    (path,) = out.glob("*.pdf")
    return path


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The print fixture (every script, code and tables, a tall diagram, no author) as a PDF."""
    return build(FIXTURE, tmp_path_factory.mktemp("print"))


@pytest.fixture(scope="module")
def fixture() -> Guide:
    """The print fixture's model."""
    return load_guide(FIXTURE)


def words(path: Path, page: int) -> list[Word]:
    """Return the words of one page (from 1) with their boxes: poppler's pdftotext -bbox."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    body = html[html.index("<doc>") : html.index("</doc>") + 6]
    return [Word.read(w) for w in ET.fromstring(body).iter("word")]


def fonts(path: Path) -> list[list[str]]:
    """Return pdffonts' rows, split into columns (name first)."""
    listing = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    return [row.split() for row in listing.splitlines()[2:]]


def font_of_each_character(path: Path) -> Iterator[tuple[str, str]]:
    """Yield (character, embedded font name) from every font's ToUnicode map on every page (pikepdf)."""
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                unicode_map = font.get("/ToUnicode")
                if unicode_map is None:
                    continue
                for target in re.findall(r"<[0-9a-f]+> <([0-9a-f]+)>", unicode_map.read_bytes().decode("latin-1")):
                    yield bytes.fromhex(target).decode("utf-16-be"), str(font.BaseFont)


def test_one_family_embedded_as_subsets(built: dict[str, Path]) -> None:
    """Text in TeX Gyre Pagella, code in DejaVu Sans Mono, nothing else; every font embedded as a subset."""
    rows = fonts(built["pdf"])
    assert rows
    for row in rows:
        assert SUBSET.match(row[0]) and row[-5:-2] == ["yes", "yes", "yes"], row  # emb sub uni
    families = {SUBSET.sub("", row[0]).split("-Bold")[0].split("-Italic")[0] for row in rows}
    assert families == {"TeX-Gyre-Pagella", "DejaVu-Sans-Mono"}


def test_every_script_prints_in_a_font_that_holds_it(printed: Path, fixture: Guide) -> None:
    """CJK from Noto CJK, emoji from the colour emoji font, Hebrew and Arabic from DejaVu: never a box."""
    text = " ".join(q.answer_text() for q in fixture.questions)
    used = dict(font_of_each_character(printed))
    for char in sorted({c for c in text if ord(c) > 0x2FF and unicodedata.category(c)[0] in "LS"}):
        name = unicodedata.name(char)
        if any(w in name for w in ("CJK", "HIRAGANA", "KATAKANA", "HANGUL")):
            expected: tuple[str, ...] = ("Noto-Serif-CJK",)
        elif unicodedata.category(char) == "So":
            expected = ("Noto-Color-Emoji",)
        elif any(w in name for w in ("HEBREW", "ARABIC")):
            expected = ("DejaVu-Sans",)
        else:  # Greek and Cyrillic: the text face, or DejaVu Serif for what it lacks (accented Greek)
            expected = ("Pagella", "DejaVu-Serif")
        assert any(font in used.get(char, "") for font in expected), (char, name, used.get(char))


def test_code_is_never_hyphenated_and_wraps_under_its_indentation(printed: Path, fixture: Guide) -> None:
    """Inline code, code in table cells and code blocks keep every word whole; a wrapped line hangs."""
    raw = "\n".join(pdf_text(printed))
    code = " ".join(node.text for q in fixture.questions for node in walk(q.answer) if node.kind in CODE_KINDS)
    code_words = set(re.findall(r"[A-Za-z_]{6,}", code))
    assert "SERIALIZABLE" in code_words
    for word in code_words:
        for cut in range(2, len(word) - 1):
            assert not re.search(re.escape(word[:cut]) + r"[\u2010\u00ad-]\s*\n", raw), word
    page = next(n for n, text in enumerate(pdf_text(printed), start=1) if "def transfer" in text)
    found = words(printed, page)
    found = found[[w.text for w in found].index("transfer(source,") :]  # the code block, and what follows it
    x: dict[str, float] = {}
    for w in found:
        x.setdefault(w.text, w.x_min)  # the first of a word: in the code block, before the paragraph under it
    wrapped = found[[w.text for w in found].index("than") + 1]  # the rest of the `raise` line
    assert x["with"] < x["retry_on_serialization_failure=True,"]  # the rest of the `with` line hangs under it
    assert x["if"] < x["raise"] < wrapped.x_min


def test_table_cells_are_ragged_right(printed: Path) -> None:
    """A wrapped cell's lines end where their words end: not justified to one edge."""
    page = next(n for n, text in enumerate(pdf_text(printed), start=1) if "Dirty read" in text)
    found = words(printed, page)
    first = next(w for w in found if w.text == "because")
    second = next(w for w in found if w.text == "a" and w.y_min > first.y_min)
    assert abs(first.x_max - second.x_max) > 3


def test_a_section_heading_always_has_its_first_question(
    printed: Path, fixture: Guide, built: dict[str, Path], guide: Guide
) -> None:
    """The page that opens a section also shows its first question's title and first words (the tall diagram
    of the fixture's last section's first question follows on the next page), in the fixture and the guide."""
    for path, model in ((printed, fixture), (built["pdf"], guide)):
        reader = PdfReader(path)
        pages = [" ".join(t.split()) for t in pdf_text(path)]
        for section in model.sections:
            first = section.questions[0]
            opening = pages[destination(reader, section.id)]
            assert first.title in opening, section.id
            assert " ".join(first.answer_text().split()[:4]) in opening, section.id


def test_contents_hang_and_keep_one_column_of_page_numbers(printed: Path, fixture: Guide) -> None:
    """A wrapped title's second line starts under its first line's text; every page number ends at one edge."""
    found = words(printed, 2)
    numbers = [w for w in found if w.text.isdigit() and w.x_min > 400]
    assert len(numbers) == len(fixture.sections) + len(fixture.questions)
    assert max(w.x_max for w in numbers) - min(w.x_max for w in numbers) < 0.5
    long_title = fixture.question("long-title").title.split()
    start = [w.text for w in found].index(long_title[0])
    entry = found[start : start + len(long_title)]
    assert [w.text for w in entry] == long_title
    second_line = next(w for w in entry if w.y_min > entry[0].y_min + 5)
    assert abs(second_line.x_min - entry[0].x_min) < 0.5  # the second line starts under the first's text


def test_cover_header_and_links(printed: Path, fixture: Guide, tmp_path: Path) -> None:
    """No author line without an author (with one, it is printed); a long title shortened to one header
    line with an ellipsis; a link whose text is its URL printed once."""
    pages = pdf_text(printed)
    assert fixture.meta.author == "" and "studyguide" not in pages[0].lower()
    header = pages[2].splitlines()[0]
    assert header.endswith("…") and fixture.meta.title.startswith(header[:-1].rstrip())
    assert len(header) < len(fixture.meta.title)
    joined = "".join("".join(pages).split())
    assert joined.count("https://www.unicode.org/versions/latest/") == 1
    valid = FIXTURE.parent / "valid"
    author = load_guide(valid).meta.author
    assert author and author in pdf_text(build(valid, tmp_path))[0]


def test_the_contents_of_the_real_guide_fill_their_pages(built: dict[str, Path], guide: Guide) -> None:
    """The contents do not spill a few lines onto a page of their own."""
    reader = PdfReader(built["pdf"])
    first_section = destination(reader, guide.sections[0].id)
    contents = pdf_text(built["pdf"], layout=True)[1:first_section]  # each printed line on one line
    entries = [len(re.findall(r"\.\s*\d+\s*$", page, re.M)) for page in contents]
    assert len(contents) == 1 or entries[-1] >= 10, entries


def destination(reader: PdfReader, name: str) -> int:
    """Return the page index (from 0) a named destination opens."""
    page = reader.get_destination_page_number(reader.named_destinations[name])
    assert page is not None
    return page


def walk(node: Node) -> Iterator[Node]:
    """Yield a node and all its descendants."""
    yield node
    for child in node.children:
        yield from walk(child)


def test_formulas_are_drawn_in_the_text_faces_math_font(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ziamath draws with TeX Gyre Pagella Math; the cache key names the font, so another font draws again."""
    from studyguide.markup.math import svg as mathsvg
    from studyguide.store.cache import Cache

    assert mathsvg.math_font()[0] == str(mathsvg.MATH_FONT)
    cache = Cache(tmp_path)
    pagella = mathsvg.draw("x^2", False, cache)
    monkeypatch.setattr(mathsvg, "math_font", lambda: (None, "ziamath default"))
    stix = mathsvg.draw("x^2", False, cache)
    assert stix != pagella and cache.misses["math"] == 2


def test_each_printed_code_line_is_one_block_inside_the_code_element() -> None:
    """Every line of a highlighted block becomes one hanging block, all inside <code> (whole tags per line)."""
    from studyguide.markup.highlight import highlight
    from studyguide.markup.places import hanging_lines

    html = hanging_lines(highlight("def f():\n    return 1\n", "python"))
    inner = html[html.index("<code>") + len("<code>") : html.index("</code>")]
    lines = re.findall(r'<span class="line" style="padding-left:(\d+)ch;text-indent:-\1ch">', inner)
    assert lines == ["2", "6"] and inner.startswith('<span class="line"') and inner.endswith("</span>")
