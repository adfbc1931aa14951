"""Every script on every screen (issue 33): long formulas on a phone, code across pages, names in narrow tables,
right-to-left lines in print. Checked with real readers: Chromium for the page, poppler for the PDF.

The fixtures `screens-en` and `screens-ar` hold what broke a phone or a page: long inline formulas in English
and Arabic, a wide display formula, a 70-line code block after ASCII art, an 8-column table of product names,
an Arabic Sources line with an English citation and a URL.
"""

from __future__ import annotations

import itertools
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

import pytest
from browser_tools import CUT_OFF, watched
from conftest import CONTENT, FIXTURES, ROOT
from readers import normalize, pdf_text

from studyguide.build.pipeline import load_guide
from studyguide.cli import main
from studyguide.model import Guide, Node

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SCREENS = ("screens-en", "screens-ar")
PAGES = [CONTENT, ROOT / "examples" / "git-basics", *(FIXTURES / name for name in ("gfm", "rich", "print", *SCREENS))]
POINTS_PER_MM = 72 / 25.4
TOP, BOTTOM, SIDE = 24 * POINTS_PER_MM, 22 * POINTS_PER_MM, 22 * POINTS_PER_MM  # print.css's page margins (A4)
A4 = (595.28, 841.89)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """Every output of the two fixtures, built by the command line; by fixture name, then format."""
    found = {}
    for name in SCREENS:
        out = tmp_path_factory.mktemp(name)
        assert main(["--format", "all", "--content", str(FIXTURES / name), "--out", str(out)]) == 0
        found[name] = {"html": out / f"{name}.html", "pdf": out / f"{name}.pdf", "anki": out / f"{name}.apkg"}
    return found


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The page of the real content, the example and every fixture with formulas, code or other scripts."""
    found = []
    for content in PAGES:
        out = tmp_path_factory.mktemp("page")
        assert main(["--format", "html", "--content", str(content), "--out", str(out)]) == 0
        found.append(out / f"{load_guide(content).meta.id}.html")
    return found


def walk(node: Node) -> Iterator[Node]:
    """Yield a node and all its descendants."""
    yield node
    for child in node.children:
        yield from walk(child)


# The page at 360 px: with every answer open, and each question in study mode, shown in full.


def test_every_page_fits_a_360_px_phone_with_every_answer_open(browser: Browser, pages: list[Path]) -> None:
    """Nothing sticks out of the screen or is cut off; wide formulas scroll inside their box, their start in
    view (right to left too), never squeezed smaller than the text."""
    with watched(browser) as new:
        page = new(viewport={"width": 360, "height": 740}).new_page()
        for path in pages:
            page.goto(path.as_uri())
            page.click("#reveal-all")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert (path.name, width, page.evaluate(CUT_OFF)) == (path.name, 360, [])


def study_every_question(page: Page) -> Iterator[str]:
    """Study every question of a page: show it in full, yield its id, grade it Good; until the session ends."""
    page.click("#study-start")
    for _ in range(100):
        if page.locator("#study-done").is_visible():
            return
        page.keyboard.press("Space")  # the core answer, or the whole answer where there is no core
        if "full-shown" not in (page.get_attribute("#study-card", "class") or ""):
            page.keyboard.press("Space")
        yield page.get_attribute("#study-card", "data-id") or ""
        page.keyboard.press("3")
    raise AssertionError("the study session never ended")


@pytest.mark.parametrize("name", SCREENS)
def test_every_question_fits_a_360_px_phone_in_study_mode(
    browser: Browser, outputs: dict[str, dict[str, Path]], name: str
) -> None:
    """Each question, shown in full in study mode (a narrower column, in a card), keeps within the screen."""
    guide = load_guide(FIXTURES / name)
    with watched(browser) as new:
        page = new(viewport={"width": 360, "height": 740}).new_page()
        page.goto(outputs[name]["html"].as_uri())
        seen = {qid: page.evaluate(CUT_OFF) for qid in study_every_question(page)}
        width = page.evaluate("document.documentElement.scrollWidth")
    assert sorted(seen) == sorted(q.id for q in guide.questions)
    assert (width, {qid: cut for qid, cut in seen.items() if cut}) == (360, {})


# The PDF: pages, tables and right-to-left lines as poppler reads them.


@dataclass(frozen=True)
class Word:
    """One word pdftotext found on a page, with its box in points."""

    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


def page_words(path: Path) -> list[list[Word]]:
    """Return the words of every page inside the text block (no running header, footer or margin note)."""
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    body = html[html.index("<doc>") : html.index("</doc>") + 6]
    found = []
    for page in ET.fromstring(body).iter("page"):
        words = [
            Word(w.text or "", *(float(w.get(k, 0)) for k in ("xMin", "yMin", "xMax", "yMax")))
            for w in page.iter("word")
        ]
        found.append([w for w in words if TOP <= w.y_min and w.y_max <= A4[1] - BOTTOM and w.x_min >= SIDE - 1])
    return found


def ink_depth(path: Path, folder: Path) -> list[float]:
    """Return how far down its text block each page is inked (0: empty, 1: full), from poppler's rendering."""
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "30", "-gray", str(path), str(folder / "page")], check=True)
    depths = []
    for file in sorted(folder.glob("page-*.pgm"), key=lambda f: int(f.stem.rsplit("-", 1)[1])):
        with Image.open(file) as image:
            scale = image.height / A4[1]
            box = (
                round(SIDE * scale),
                round(TOP * scale),
                round((A4[0] - SIDE) * scale),
                round((A4[1] - BOTTOM) * scale),
            )
            block = image.crop(box)
        pixels = list(block.getdata())
        rows = [y for y in range(block.height) if min(pixels[y * block.width : (y + 1) * block.width]) < 200]
        depths.append((max(rows) + 1) / block.height if rows else 0.0)
    return depths


def code_lines(guide: Guide) -> set[str]:
    """Return every line of every code block of a guide, its spaces squeezed."""
    return {
        " ".join(line.split())
        for q in guide.questions
        for node in walk(q.answer)
        if node.kind == "fence"
        for line in node.text.split("\n")
        if line.strip()
    }


def first_line(words: list[Word]) -> str:
    """Return the text of a page's first line in its text block."""
    if not words:
        return ""
    top = min(w.y_min for w in words)
    return " ".join(w.text for w in sorted(words, key=lambda w: w.x_min) if w.y_min < top + 3)


@pytest.mark.parametrize("name", SCREENS)
def test_no_page_is_left_mostly_empty_before_a_code_block(
    outputs: dict[str, dict[str, Path]], name: str, tmp_path: Path
) -> None:
    """A long code block breaks across pages: the page before one that opens with code is at least a quarter full."""
    path, code = outputs[name]["pdf"], code_lines(load_guide(FIXTURES / name))
    words, depths = page_words(path), ink_depth(path, tmp_path)
    opening = [n for n in range(1, len(words)) if first_line(words[n]) in code]
    assert name == "screens-ar" or opening, "the long block breaks across a page"
    assert [(n, round(depths[n - 1], 2)) for n in opening if depths[n - 1] < 0.25] == []


def names(text: str) -> list[str]:
    """Return the words of a text written with capitals inside (PostgreSQL, DynamoDB, gRPC)."""
    return re.findall(r"\b[A-Za-z]*[a-z][A-Z][A-Za-z]*\b", text)


def test_no_product_name_is_hyphenated_in_a_table_or_a_line(outputs: dict[str, dict[str, Path]]) -> None:
    """Names in narrow table cells (the 8-column table) and words with inner capitals in the text stay whole."""
    guide = load_guide(FIXTURES / "screens-en")
    q = guide.question("stores")
    (table,) = [node for node in walk(q.answer) if node.kind == "table"]
    header = [cell.plain_text() for cell in walk(table) if cell.kind == "th"][1:]
    assert len(header) == 7 and "Elasticsearch" in header
    printed = [re.sub(r"^\W+|\W+$", "", w.text) for page in page_words(outputs["screens-en"]["pdf"]) for w in page]
    text = " ".join(tree.plain_text() for tree in q.trees())
    wanted = sorted(set(header + names(text)))
    assert len(wanted) > 12
    assert {n: printed.count(n) for n in wanted} == {n: len(re.findall(rf"\b{n}\b", text)) for n in wanted}


def reads_in_order(url: str, lines: list[str]) -> bool:
    """Tell whether a URL reads in order in pdftotext's lines: whole on one, or its start ending one line and
    its rest on another (the address broke at the end of a line)."""
    if any(url in line for line in lines):
        return True
    for cut in range(8, len(url) - 3):
        start, rest = url[:cut], url[cut:]
        ends = any(line.rstrip().endswith(start) or f"{start} " in line for line in lines)
        if ends and any(line.lstrip().startswith(rest) or f" {rest}" in line for line in lines):
            return True
    return False


def test_an_english_citation_and_a_url_read_in_order_in_an_arabic_line(outputs: dict[str, dict[str, Path]]) -> None:
    """pdftotext reads the Latin runs of a right-to-left Sources line in their own order, URLs from their start."""
    pages = pdf_text(outputs["screens-ar"]["pdf"])
    text = normalize(" ".join(pages))
    assert "Zumdahl & Zumdahl, Chemistry, 10th ed., ch. 2" in text
    assert "Atkins & de Paula, Physical Chemistry, 11th ed., §2C, p. 68; NIST Chemistry WebBook" in text
    lines = [normalize(line) for page in pages for line in page.splitlines()]
    assert "/https:" not in text
    for url in ("https://www.nist.gov/pml/periodic-table-elements", "https://webbook.nist.gov/chemistry/"):
        assert reads_in_order(url, lines), url


def wide_gaps(path: Path, guide: Guide, folder: Path) -> list[str]:
    """Return each gap between two words of a line wider than about three spaces (0.8 of the words' height,
    an em and a little) where nothing is printed: a justified line stretched too far.

    Code is left out (its spaces are wide and its own), as are a numbered heading's or entry's number (at
    either end of its line) and the contents' leaders. The page is rendered at 72 dpi, so a pixel is a point.
    """
    from PIL import Image

    code = code_lines(guide)
    subprocess.run(["pdftoppm", "-r", "72", "-gray", str(path), str(folder / "gap")], check=True)
    files = sorted(folder.glob("gap-*.pgm"), key=lambda f: int(f.stem.rsplit("-", 1)[1]))
    found = []
    for number, (words, file) in enumerate(zip(page_words(path), files, strict=True), start=1):
        with Image.open(file) as image:
            ink = image.load()
            lines: dict[float, list[Word]] = {}
            for word in words:
                line = next((y for y in lines if abs(y - word.y_max) < 2), word.y_max)
                lines.setdefault(line, []).append(word)
            for line_words in lines.values():
                line_words.sort(key=lambda w: w.x_min)
                if " ".join(" ".join(w.text for w in line_words).split()) in code:
                    continue
                pairs = list(itertools.pairwise(line_words))
                for index, (a, b) in enumerate(pairs):
                    height = max(a.y_max - a.y_min, b.y_max - b.y_min)
                    numbered = (index == 0 and a.text.isdigit()) or (index == len(pairs) - 1 and b.text.isdigit())
                    if b.x_min - a.x_max <= 0.8 * height or "." in (a.text, b.text) or numbered:
                        continue
                    rows = range(int(min(a.y_min, b.y_min)) + 1, int(max(a.y_max, b.y_max)) - 1)
                    if all(ink[x, y] > 200 for x in range(int(a.x_max) + 1, int(b.x_min)) for y in rows):
                        found.append(f"page {number}: {a.text} {b.text} ({b.x_min - a.x_max:.1f} pt)")
    return found


@pytest.mark.parametrize("name", SCREENS)
def test_no_line_opens_gaps_wider_than_three_spaces(
    outputs: dict[str, dict[str, Path]], name: str, tmp_path: Path
) -> None:
    """A paragraph with formulas, code or an address is set ragged; the others are justified and hyphenated."""
    assert wide_gaps(outputs[name]["pdf"], load_guide(FIXTURES / name), tmp_path) == []
