"""The Markdown authors write, right in all three outputs (read back by each output's own reader), or a message."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_tools import NODE_MODULES, Traffic, axe_violations, require
from card_view import describe, view
from readers import cards, import_apkg, normalize, pdf_text

from studyguide.build.pipeline import load, load_guide
from studyguide.cli import main
from studyguide.errors import ContentError
from studyguide.markup.math.vocab import for_mathjax, mathjax_names
from studyguide.model import Guide, Node, Question

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GFM = FIXTURES / "gfm"
MATHJAX = Path(__file__).resolve().parent / "browser" / "mathjax-tex.cjs"
GUIDES = [ROOT / "content", ROOT / "examples" / "git-basics", FIXTURES / "valid", FIXTURES / "rich", GFM]


def mathjax(*args: str, stdin: str = "") -> str:
    """Run MathJax 3.2.2 (npm) with Anki's packages in Node; return what it prints."""
    require((NODE_MODULES / "mathjax-full").is_dir() and shutil.which("node") is not None, "node and mathjax-full")
    done = subprocess.run(["node", str(MATHJAX), *args], input=stdin, capture_output=True, text=True, check=True)
    return done.stdout


def test_the_committed_mathjax_vocabulary_is_mathjaxs_own() -> None:
    assert set(mathjax("names").split("\n")) - {""} == mathjax_names()


def test_every_formula_of_every_guide_shows_in_ankis_mathjax() -> None:
    """Each formula, as the cards carry it (translated), through MathJax without noerrors or noundefined."""
    formulas = sorted({(for_mathjax(n.text), n.kind == "math_block") for g in GUIDES for _, n in formulas_of(g)})
    assert len(formulas) > 150
    errors = json.loads(mathjax("check", stdin=json.dumps(formulas)))
    assert [(tex, error) for (tex, _), error in zip(formulas, errors, strict=True) if error] == []


def formulas_of(content: Path) -> list[tuple[Question, Node]]:
    """Return every formula node of a guide."""
    return list(load_guide(content).nodes("math_inline", "math_block"))


@pytest.fixture(scope="module")
def gfm() -> Guide:
    return load_guide(GFM)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gfm")
    assert main(["--content", str(GFM), "--out", str(out)]) == 0
    return out


def note_texts(q: Question) -> list[str]:
    """Return a question's footnotes' text, in their order."""
    return [normalize(note.plain_text()) for note in q.footnotes]


def test_footnotes_are_numbered_per_question_in_order_of_reference(gfm: Guide) -> None:
    q = gfm.question("footnotes")
    assert [n.attr("number") for n in q.footnotes] == ["1", "2", "3", "4"]
    assert note_texts(q)[0] == normalize("Footnotes print at the foot of the page.")  # the core answer's, first
    assert [n.attr("label") for n in q.footnotes] == ["core", "bayes", "evidence", "book"]


def test_cards_carry_footnotes_task_lists_strikethrough_and_links(built: Path, gfm: Guide) -> None:
    col = import_apkg(built / "gfm-fixture.apkg")
    try:
        by_id = {c.fields["Id"]: c for c in cards(col)}
    finally:
        col.close()
    sources = by_id["footnotes"].fields["Sources"]  # the notes end the back: after the sources
    notes = sources[sources.index('<ol class="footnotes">') :]
    assert [normalize(n) for n in note_texts(gfm.question("footnotes"))] == [
        normalize(strip_tags(item)) for item in notes.split("<li>")[1:]
    ]
    extras = by_id["extras"].fields["Answer"]
    assert "<s>Frequentists never use priors.</s>" in extras
    assert extras.count('type="checkbox" disabled') == 2 and "checked" in extras
    assert '<a href="https://example.org/bayes" class="url">' in extras
    assert "costs $5 to $7" in extras and "<dl>" in extras
    assert r"\boldsymbol{x}" in by_id["translated"].fields["Answer"]


def strip_tags(html: str) -> str:
    """Return the text of an HTML fragment."""
    import re

    return re.sub(r"<[^>]+>", "", html.replace("</p>", " "))


def test_cards_show_the_translated_formulas_without_error(built: Path, browser: Browser, tmp_path: Path) -> None:
    col = import_apkg(built / "gfm-fixture.apkg")
    try:
        answers = [c.answer for c in cards(col)]
    finally:
        col.close()
    seen = list(view(browser, answers, tmp_path))
    assert all(s.errors == [] and s.requests == [] for s in seen), [describe(s) for s in seen]
    assert sum(s.math for s in seen) >= 6  # $p$, $p/(1-p)$, $A|B$, \bm, \operatorname*, the display


def test_pdf_prints_footnotes_at_the_foot_of_their_page(built: Path, gfm: Guide) -> None:
    pages = [normalize(page) for page in pdf_text(built / "gfm-fixture.pdf")]
    q = gfm.question("footnotes")
    page = next(p for p in pages if normalize(q.title) in p and "CONTENTS" not in p)
    for note in note_texts(q):
        assert note in page, note
    assert page.index(normalize(q.title)) < page.index(note_texts(q)[1])
    extras = next(p for p in pages if "costs $5 to $7" in p)
    assert "☐" in extras and "☑" in extras and "Frequentists never use priors." in extras
    assert "https://example.org/bayes <https://example.org/bayes>" not in extras  # a bare URL prints once


def test_page_links_footnotes_there_and_back(built: Path, browser: Browser, gfm: Guide) -> None:
    context = browser.new_context(viewport={"width": 1000, "height": 800}, bypass_csp=True)  # axe is injected
    traffic = Traffic()
    traffic.watch(context)
    page = context.new_page()
    page.goto((built / "gfm-fixture.html").as_uri() + "#footnotes")
    page.click("#footnotes .answer .footnote-ref a >> nth=0")
    assert page.evaluate("location.hash") == "#fn_footnotes_2"
    note = note_texts(gfm.question("footnotes"))[1]
    assert normalize(page.inner_text("#fn_footnotes_2")).startswith(note)
    page.click("#fn_footnotes_2 .footnote-back")
    assert page.evaluate("location.hash") == "#fnref_footnotes_2"
    page.goto((built / "gfm-fixture.html").as_uri() + "#extras")
    assert page.locator("#extras input[type=checkbox]").count() == 2
    assert page.locator("#extras input[type=checkbox][disabled]").count() == 2
    assert page.locator("#extras s").count() == 1 and page.locator("#extras dl dt").count() == 2
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert axe_violations(page) == []
    assert traffic.external == [] and traffic.errors == []
    context.close()


def problems_of(tmp_path: Path, body: str) -> list[str]:
    """Return every message (errors and warnings) for a guide with one more question."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    (content / "50-more.md").write_text(f"# More {{#more}}\n\n## More? {{#more-q}}\n\nTags: a\n\n{body}", "utf-8")
    try:
        job = load(content)
    except ContentError as exc:
        return [str(p).replace(str(content / "50-more.md"), "F") for p in exc.problems]
    return [str(p).replace(str(content / "50-more.md"), "F") for p in job.warnings]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("A paragraph\n---\n", "F:8: this '---' line turns the paragraph above into a heading"),
        ("A paragraph\n===\n", "F:8: this '===' line turns the paragraph above into a heading"),
        ("Costs $x + y here.\n", "F:7: warning: a '$' here opens or closes no formula"),
        ("| a | b |\n|---|---|\n| 1 | $P(A|B)$ |\n", "F:9: warning: a '|' inside a formula in this table row"),
        ("A <span>b</span> <br> here.\n", "F:7: warning: raw HTML '<span>' (column 3) is shown as text"),
        ("A\n<i>b</i> <i>c</i>\n", "F:8: warning: raw HTML '<i>' (column 10) is shown as text"),
        (
            "| a | b |\n|---|---|\n| 1 | from $15/month |\n| 2 | from $30/month |\n\nB :nope: C\n",
            "F:12: warning: ':nope:'",
        ),
        ("See[^nope].\n", "F:7: footnote [^nope] is not defined"),
        ("A.\n\n[^lost]: A note nobody cites.\n", "F:9: footnote [^lost] is never referred to"),
        ("A $\\mathbb{1}$ here.\n", "F:7: formula $\\mathbb{1}$ cannot be rendered: no output draws a double-struck"),
        ("A $\\foo{x}$ here.\n", "F:7: formula $\\foo{x}$ cannot be rendered: '\\foo' is unknown to Anki's MathJax"),
    ],
)
def test_markdown_that_means_something_else_is_said_at_its_line(tmp_path: Path, body: str, message: str) -> None:
    found = problems_of(tmp_path, body)
    assert any(p.startswith(message) for p in found), found


def test_prices_escaped_dollars_and_closed_formulas_say_nothing(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "From $5 to $7, US$ 12, a \\$ sign, and $x^2$ and `$HOME`.\n") == []
