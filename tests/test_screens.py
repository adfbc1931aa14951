"""Every script on every screen (issue 33): long formulas on a phone, code across pages, names in narrow tables,
right-to-left lines in print. Checked with real readers: Chromium for the page, poppler for the PDF.

The fixtures `screens-en` and `screens-ar` hold what broke a phone or a page: long inline formulas in English
and Arabic, a wide display formula, a 70-line code block after ASCII art, an 8-column table of product names,
an Arabic Sources line with an English citation and a URL.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

import pytest
from browser_tools import ALONE, CUT_OFF, watched
from conftest import CONTENT, FIXTURES, ROOT
from playwright.sync_api import expect
from readers import normalize, pdf_text
from test_page import PLACEHOLDER_FITS
from test_pdf_print import Word

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


@pytest.mark.parametrize("width", [360, 390, 1000])
def test_no_line_starts_with_the_punctuation_after_a_formula(browser: Browser, pages: list[Path], width: int) -> None:
    """`$x = 0.05$, for` never leaves ", for" to start the next line."""
    with watched(browser) as new:
        page = new(viewport={"width": width, "height": 740}).new_page()
        found = {}
        for path in pages:
            page.goto(path.as_uri())
            page.click("#reveal-all")
            found[path.name] = page.evaluate(ALONE, "svg.math-inline, .math-split, .math-scroll")
    assert {name: alone for name, alone in found.items() if alone} == {}


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


def page_words(path: Path) -> list[list[Word]]:
    """Return the words of every page inside the text block (no running header, footer or margin note)."""
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    body = html[html.index("<doc>") : html.index("</doc>") + 6]
    found = []
    for page in ET.fromstring(body).iter("page"):
        words = [Word.read(w) for w in page.iter("word")]
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
        pixels = block.tobytes()  # one byte a pixel: the pages are rendered in grey
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


def lines_of(words: list[Word]) -> list[list[Word]]:
    """Return a page's words in lines (the same baseline, within 2 pt), each from left to right."""
    lines: dict[float, list[Word]] = {}
    for word in words:
        line = next((y for y in lines if abs(y - word.y_max) < 2), word.y_max)
        lines.setdefault(line, []).append(word)
    return [sorted(line, key=lambda w: w.x_min) for line in lines.values()]


def stretched(line: list[Word]) -> Iterator[tuple[Word, Word]]:
    """Yield each pair of neighbouring words more than about three spaces apart (0.8 of the line's height, an
    em and a little), but a numbered heading's or entry's number (at either end) and the contents' leaders."""
    pairs, height = list(itertools.pairwise(line)), max(w.y_max - w.y_min for w in line)
    for index, (a, b) in enumerate(pairs):
        numbered = (index == 0 and a.text.isdigit()) or (index == len(pairs) - 1 and b.text.isdigit())
        if b.x_min - a.x_max > 0.8 * height and "." not in (a.text, b.text):
            if not numbered:
                yield a, b


def wide_gaps(path: Path, guide: Guide, folder: Path) -> list[str]:
    """Return each gap between two words of a line wider than about three spaces where nothing is printed
    (no formula, no rule): a justified line stretched too far. Code is left out (its spaces are its own).

    The pages are rendered at 72 dpi, so a pixel is a point.
    """
    from PIL import Image

    code = code_lines(guide)
    subprocess.run(["pdftoppm", "-r", "72", "-gray", str(path), str(folder / "gap")], check=True)
    files = sorted(folder.glob("gap-*.pgm"), key=lambda f: int(f.stem.rsplit("-", 1)[1]))
    found = []
    for number, (words, file) in enumerate(zip(page_words(path), files, strict=True), start=1):
        with Image.open(file) as image:
            ink = image.load()
            assert ink is not None
            for line in lines_of(words):
                if " ".join(" ".join(w.text for w in line).split()) in code:
                    continue
                for a, b in stretched(line):
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


def test_no_line_of_the_real_guide_opens_gaps_wider_than_three_spaces(
    built: dict[str, Path], guide: Guide, tmp_path: Path
) -> None:
    """The same of the real content's PDF (its paragraphs are full of formulas)."""
    assert wide_gaps(built["pdf"], guide, tmp_path) == []


# Words: counts of one are singular wherever a count is written.

CARD = {"due": "2026-03-05T09:00:00.000Z", "stability": 3.2, "difficulty": 5.1, "elapsed_days": 0}
CARD |= {"scheduled_days": 3, "learning_steps": 0, "reps": 1, "lapses": 0, "state": 2, "last_review": None}


def test_a_count_of_one_reads_right_on_the_command_line_and_in_study_mode(
    browser: Browser, outputs: dict[str, dict[str, Path]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ok: 2 questions in 1 section, 0 warnings`; study mode's notices after importing one question's progress
    and after a limit of one new question a day never say "1 questions"."""
    assert main(["--check", "--content", str(FIXTURES / "screens-ar")]) == 0
    assert "ok: 2 questions in 1 section, 0 warnings" in capsys.readouterr().out
    guide = load_guide(FIXTURES / "screens-en")
    progress = tmp_path / "progress.json"
    progress.write_text(
        json.dumps({"guide": guide.meta.id, "newPerDay": 20, "cards": {guide.questions[0].id: CARD}}), encoding="utf-8"
    )
    with watched(browser) as new:
        page = new().new_page()
        page.goto(outputs["screens-en"]["html"].as_uri())
        page.click("#study-start")
        page.locator(".study-settings summary").click()
        page.set_input_files("#study-import", progress)
        expect(page.locator("#study-notice")).to_contain_text("1")
        imported = page.inner_text("#study-notice")
        page.fill("#study-limit", "1")
        page.dispatch_event("#study-limit", "change")
        page.keyboard.press("Escape")
        page.click("#study-start")
        while not page.locator("#study-done").is_visible():
            page.keyboard.press("Space")
            page.keyboard.press("Space")
            page.keyboard.press("4")
        finished = page.inner_text("#study-done")
    assert "1" in imported and "1" in finished
    assert not re.search(r"\b1 (?:new )?questions\b", imported + " " + finished), (imported, finished)


# The page: what reads left to right in a right-to-left page, dropdowns, images at full size.

FIRST_AND_LAST = """(el) => {
  const range = document.createRange(), text = el.firstChild;
  range.setStart(text, 0); range.setEnd(text, 1);
  const first = range.getBoundingClientRect().left;
  range.setStart(text, text.length - 1); range.setEnd(text, text.length);
  return [el.textContent, first < range.getBoundingClientRect().left];
}"""


def test_permalinks_and_addresses_read_left_to_right_in_a_right_to_left_page(
    browser: Browser, outputs: dict[str, dict[str, Path]]
) -> None:
    """The permalink shows "#atom-parts" (its "#" first, at the left), a URL its "https" at the left."""
    with watched(browser) as new:
        page = new(viewport={"width": 360, "height": 740}).new_page()
        page.goto(outputs["screens-ar"]["html"].as_uri())
        page.click("#reveal-all")
        found = [
            page.eval_on_selector(f"[id='{q}'] a.permalink", FIRST_AND_LAST) for q in ("atom-parts", "reaction-heat")
        ]
        found += page.eval_on_selector_all("a.url", f"els => els.map({FIRST_AND_LAST})")
    assert len(found) == 4 and [ok for _, ok in found] == [True] * 4, found


NEEDED = """(select) => {
  const alone = document.createElement("select");
  alone.style.position = "absolute";
  alone.append(select.options[0].cloneNode(true));
  document.body.append(alone);
  const needed = alone.offsetWidth;
  alone.remove();
  return [select.options[0].text, select.offsetWidth, needed];
}"""


@pytest.mark.parametrize("language", ["es", "de", "fr", "pt", "ar", "ja"])
def test_each_dropdown_shows_its_first_label_whole(browser: Browser, tmp_path: Path, language: str) -> None:
    """ "All sections" and "All tags" in the guide's language fit their dropdown at 360 and 1000 px: each is at
    least as wide as the browser makes a dropdown of that label alone."""
    content = tmp_path / "content"

    shutil.copytree(ROOT / "examples" / "git-basics", content)
    meta = content / "guide.toml"
    meta.write_text(meta.read_text(encoding="utf-8").replace('language = "en"', f'language = "{language}"'))
    assert main(["--format", "html", "--content", str(content), "--out", str(tmp_path / "out")]) == 0
    with watched(browser) as new:
        page = new().new_page()
        page.goto((tmp_path / "out" / "git-basics.html").as_uri())
        found = []
        for width in (360, 1000):
            page.set_viewport_size({"width": width, "height": 740})
            found += [(width, *page.eval_on_selector(f"#filter-{name}", NEEDED)) for name in ("section", "tag")]
            text, room = page.evaluate(PLACEHOLDER_FITS)  # and the search field beside them keeps its hint whole
            found.append((width, "placeholder", round(room), round(text)))
    assert [entry for entry in found if entry[2] < entry[3]] == []


def test_an_image_opens_at_full_size_in_a_box_that_scrolls(
    browser: Browser, outputs: dict[str, dict[str, Path]]
) -> None:
    """At 360 px the diagram is shrunk; pressed (under the page's own CSP), it shows every pixel and the page
    stays 360 px wide; pressed again, it fits again."""
    with watched(browser) as new:
        page = new(viewport={"width": 360, "height": 740}).new_page()
        page.goto(outputs["screens-en"]["html"].as_uri() + "#summaries")
        image = page.locator("[id='summaries'] .answer img")
        sizes = [image.evaluate("img => [img.naturalWidth, Math.round(img.getBoundingClientRect().width)]")]
        page.locator("[id='summaries'] button.zoom").click()
        sizes.append(image.evaluate("img => [img.naturalWidth, Math.round(img.getBoundingClientRect().width)]"))
        wide = (page.evaluate("document.documentElement.scrollWidth"), page.evaluate(CUT_OFF))
        page.locator("[id='summaries'] button.zoom").click()
        sizes.append(image.evaluate("img => [img.naturalWidth, Math.round(img.getBoundingClientRect().width)]"))
    (natural, fitted), (_, full), (_, again) = sizes
    assert fitted < 360 < natural == full and again == fitted
    assert wide == (360, [])


def test_list_numbers_stand_on_their_first_lines_baseline(outputs: dict[str, dict[str, Path]]) -> None:
    """Next to a tall inline formula, an item's number sits on the baseline of the item's first words."""
    guide = load_guide(FIXTURES / "screens-en")
    (items,) = [node for node in walk(guide.question("summaries").answer) if node.kind == "ordered_list"]
    firsts = [item.plain_text().split()[0] for item in items.children]
    words = [w for page in page_words(outputs["screens-en"]["pdf"]) for w in page]
    found = []
    for number, first in enumerate(firsts, start=1):
        marker = next(n for n, w in enumerate(words) if w.text == f"{number}." and words[n + 1].text == first)
        found.append(round(words[marker + 1].y_max - words[marker].y_max, 1))
    assert len(found) == 3 and all(abs(offset) < 0.5 for offset in found), found
