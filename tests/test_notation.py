"""Every author's notation: chemistry, any script inside formulas, diagrams, callouts, a little HTML, inline notes.

Two guides nobody tuned the code to: `fixtures/chemistry-ar` (mhchem, Arabic prose and Arabic words
inside formulas) and `fixtures/notation` (mermaid flowcharts and sequence diagrams, the five alerts,
<details>, <kbd>, shortcodes, inline notes). Each is checked and built, and its three outputs read
back with their real readers: the Anki library (and Anki's MathJax in Chromium), pdftotext, Chromium.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_tools import NODE_MODULES, axe_violations, require
from card_view import describe, view
from conftest import FIXTURES, ROOT
from readers import cards, html_text, import_apkg, normalize, pdf_text

from studyguide.build.pipeline import load
from studyguide.cli import main
from studyguide.markup.math import chem
from studyguide.markup.math.svg import for_drawing, math_font
from studyguide.markup.math.typeset import MathError, drawn, typeset
from studyguide.parse.parser import parse

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHEMISTRY = FIXTURES / "chemistry-ar"
NOTATION = FIXTURES / "notation"
# What an output must never show once the notation is drawn: the syntax as written.
RAW: tuple[str, ...] = ("[!NOTE]", "[!TIP]", "[!IMPORTANT]", "[!WARNING]", "[!CAUTION]", "<details", "<summary")
RAW += ("<kbd", "</kbd", ":warning:", ":rocket:", "flowchart LR", "sequenceDiagram", "-->", "->>", "^[", "<sub>")
RAW += ("<mark>",)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build both guides; map each guide's id to its output folder."""
    found = {}
    for content in (CHEMISTRY, NOTATION):
        out = tmp_path_factory.mktemp(content.name)
        assert main(["--content", str(content), "--out", str(out)]) == 0
        found[content.name] = out
    return found


@pytest.mark.parametrize("content", [CHEMISTRY, NOTATION], ids=["chemistry-ar", "notation"])
def test_the_guides_check_without_an_error_or_a_warning(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--content", str(content)]) == 0
    said = capsys.readouterr()
    assert "0 warnings" in said.out, said.err


def formula_guides() -> list[Path]:
    """Return every guide the tests hold (and the real content): their formulas are the ones checked."""
    return [ROOT / "content", *sorted(p.parent for p in FIXTURES.glob("*/guide.toml"))]


def written(mathml: ET.Element) -> Counter[str]:
    """Return the characters of a formula's MathML tokens as latex2mathml wrote them, phantoms and spaces left out."""
    found: Counter[str] = Counter()
    stack = [mathml]
    while stack:
        element = stack.pop()
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "mphantom":
            continue
        if tag in ("mi", "mn", "mo", "mtext", "ms") and element.text:
            found.update(c for c in element.text if not c.isspace())
        stack.extend(element)
    return found


@pytest.mark.parametrize("content", formula_guides(), ids=lambda p: p.name)
def test_every_character_of_every_formula_is_drawn(content: Path) -> None:
    """What latex2mathml read from each formula (after mhchem) must come out of ziamath as glyphs, one by one."""
    from ziamath.escapes import unescape
    from ziamath.tex import tex2mml

    guide = parse(content)[0]
    checked = 0
    for _, node in guide.nodes("math_inline", "math_block"):
        tex, depth = for_drawing(node.text)
        display = node.kind == "math_block"
        try:
            formula = typeset(tex, display, math_font()[0], depth)
        except MathError:
            continue  # refused at its line: an error, not a silent loss
        went_in = written(ET.fromstring(unescape(tex2mml(tex, inline=not display))))
        came_out = drawn(formula)
        lost = went_in - came_out
        assert not lost, (node.text, dict(lost))
        checked += 1
    assert checked or not guide.nodes("math_inline", "math_block")


def test_words_of_every_script_inside_formulas_are_drawn_in_reading_order() -> None:
    formula = typeset(r"\text{عند 25 درجة} + \mathrm{Привет} + \textbf{日本語} + \text{💰}", False, math_font()[0])
    came_out = drawn(formula)
    for word in ("عند", "درجة", "Привет", "日本語", "💰"):
        assert not Counter(word) - came_out, word
    from studyguide.markup.math.scripts import runs

    assert runs("عند 25 درجة") == [(" درجة", True), ("25", False), ("عند ", True)]  # right to left, the number LTR
    assert runs("pH عند 25") == [("pH ", False), ("25", False), ("عند ", True)]  # shown "pH 25 عند", as the UBA has it


def test_chemistry_is_translated_by_mhchem_and_cached(tmp_path: Path) -> None:
    from studyguide.store.cache import Cache

    cache = Cache(tmp_path)
    latex = chem.translate(r"\ce{CH4 + 2O2 -> CO2 + 2H2O}", cache)
    assert r"\mathrm{CH}" in latex and r"\longrightarrow" in latex and "\\ce" not in latex
    assert chem.translate(r"\ce{CH4 + 2O2 -> CO2 + 2H2O}", cache) == latex and cache.hits["chem"] == 1
    assert "\\ce" not in chem.translate(r"\ce{A ->[$\ce{B}$] C}")  # nested: translated again
    with pytest.raises(chem.ChemError, match="braces"):
        chem.translate(r"\ce A")


def test_the_vendored_mhchem_is_the_npm_package() -> None:
    package = NODE_MODULES / "mhchemparser"
    require((package / "package.json").is_file(), "mhchemparser (npm)")
    assert json.loads((package / "package.json").read_text())["version"] == chem.MHCHEM_VERSION
    assert chem.VENDOR.read_bytes() == (package / "dist" / "mhchemParser.js").read_bytes()
    assert chem.VENDOR.with_name("mhchemParser.LICENSE.txt").read_bytes() == (package / "LICENSE.txt").read_bytes()
    lock = json.loads((ROOT / "tests" / "browser" / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/mhchemparser"]["version"] == chem.MHCHEM_VERSION


def test_cards_keep_mhchem_and_anki_mathjax_draws_it(
    outputs: dict[str, Path], browser: Browser, tmp_path: Path
) -> None:
    col = import_apkg(outputs["chemistry-ar"] / "chemistry-ar-fixture.apkg")
    try:
        found = cards(col)
    finally:
        col.close()
    answers = [c.answer for c in found]
    assert any(r"\ce{CH4 + 2O2 -&gt; CO2 + 2H2O}" in a or r"\ce{CH4 + 2O2 -> CO2 + 2H2O}" in a for a in answers)
    seen = list(view(browser, answers, tmp_path, width=360))
    assert all(s.errors == [] and s.requests == [] for s in seen), [describe(s) for s in seen]
    assert sum(s.math for s in seen) >= 15
    assert all(s.width <= s.room for s in seen), [describe(s) for s in seen]
    assert any("سرعة التفاعل الأمامي" in s.text for s in seen)  # taken out of the formula: shaped by the browser
    assert {"ذرة", "اتزان-كيميائي"} <= {tag for c in found for tag in c.tags}


def test_page_and_pdf_hold_every_formula_drawn(outputs: dict[str, Path]) -> None:
    guide = load(CHEMISTRY).guide
    page = (outputs["chemistry-ar"] / "chemistry-ar-fixture.html").read_text(encoding="utf-8")
    from html import escape

    from studyguide.markup.math.split import pieces

    for _, node in guide.nodes("math_inline", "math_block"):  # a long inline formula: each piece named by its TeX
        named = [node.text] if node.kind == "math_block" else [piece.strip() for piece in pieces(node.text)]
        assert all(f"<title>{escape(tex, quote=False)}</title>" in page for tex in named), node.text
    import pypdf

    logical = " ".join(
        page.extract_text() for page in pypdf.PdfReader(outputs["chemistry-ar"] / "chemistry-ar-fixture.pdf").pages
    )
    text = normalize(re.sub("[\u202a-\u202e]", "", logical))  # pypdf reads the words in their logical order
    assert normalize("يحترق الميثان في الأكسجين") in text and "\\ce" not in text


def no_raw_syntax(text: str) -> list[str]:
    """Return the pieces of notation a text still shows as written."""
    return [raw for raw in RAW if raw in text]


def test_the_deck_shows_callouts_diagrams_and_html_as_drawn(outputs: dict[str, Path]) -> None:
    col = import_apkg(outputs["notation"] / "notation-fixture.apkg")
    try:
        by_id = {c.fields["Id"]: c for c in cards(col)}
    finally:
        col.close()
    for card in by_id.values():
        visible = re.sub(r"<svg.*?</svg>", " ", card.answer, flags=re.S)
        visible = re.sub(r"<[^>]+>", " ", visible).replace("&lt;", "<").replace("&gt;", ">")
        assert no_raw_syntax(visible) == [], card.fields["Id"]
    flow = re.sub(r"<[^>]+>", " ", by_id["request-flow"].answer)
    assert by_id["request-flow"].answer.count("<svg") == 1 and normalize("Valid input?") in normalize(flow)
    alerts = by_id["five-alerts"].answer
    assert all(f'class="alert alert-{kind}"' in alerts for kind in ("note", "tip", "important", "warning", "caution"))
    html = by_id["small-html"].answer
    assert "<kbd>Ctrl</kbd>" in html and '<details class="block" open>' in html and "⚠️" in html and "🚀" in html
    assert "<sub>2</sub>" in html and "<mark>highlighted part</mark>" in html and '<ol class="footnotes">' in html


def test_the_pdf_prints_callouts_diagram_labels_and_open_details(outputs: dict[str, Path]) -> None:
    text = normalize(" ".join(pdf_text(outputs["notation"] / "notation-fixture.pdf")))
    assert no_raw_syntax(text) == []
    for words in ("Note", "Tip", "Important", "Warning", "Caution", "Client", "Valid input?", "Error page", "Trainer"):
        assert words in text, words
    assert "send the batch" in text and normalize("Each new sample adds less information") in text
    assert normalize("An inline note, as pandoc writes it") in text and "from $15/month" in text


def test_the_page_draws_everything_and_details_open_on_a_click(outputs: dict[str, Path], browser: Browser) -> None:
    page_file = outputs["notation"] / "notation-fixture.html"
    text, _ = html_text(page_file)
    assert no_raw_syntax(re.sub(r"<title>.*?</title>", "", text)) == []
    context = browser.new_context(viewport={"width": 360, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(page_file.as_uri())
    page.evaluate("document.querySelectorAll('details.question').forEach(d => d.open = true)")
    visible = page.locator("#questions").inner_text()
    assert no_raw_syntax(visible) == [] and "Valid input?" in visible and "average and step" in visible
    assert page.locator(".diagram svg text").count() >= 10 and page.locator(".diagram foreignObject").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    block = page.locator("details.block")
    assert block.evaluate("d => d.open") is False
    block.locator("summary").click()
    assert block.evaluate("d => d.open") is True and "1/√n" in page.locator("#questions").inner_text()
    assert axe_violations(page) == []
    context.close()


def test_a_tag_in_any_script_filters_the_page(outputs: dict[str, Path], browser: Browser) -> None:
    page = browser.new_page()
    page.goto((outputs["chemistry-ar"] / "chemistry-ar-fixture.html").as_uri())
    page.select_option("#filter-tag", "اتزان-كيميائي")
    shown = page.locator("details.question:visible")
    assert shown.count() == 1 and shown.get_attribute("id") == "chemical-equilibrium"
    page.close()
