"""Clozes and reversed cards in the page (list and study mode, in Chromium), the PDF (both editions) and the cards
as Anki's reviewer shows them with its MathJax: filled in and marked, hidden one number at a time, never as braces."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_tools import axe_violations, vnu_errors
from card_view import view
from conftest import build_page
from readers import cards, import_apkg, normalize, pdf_text, text_of_html
from study_tools import counts, current, open_page, stored
from test_study import T0, contexts

from studyguide.cli import main

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "clozes"
GUIDE = "cloze-fixture"
__all__ = ["contexts"]  # the fixture, imported for pytest


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The fixture guide's deck, page and both PDF editions."""
    out = tmp_path_factory.mktemp("clozes")
    assert main(["--content", str(FIXTURE), "--out", str(out)]) == 0
    assert main(["--format", "pdf", "--pdf-edition", "quiz", "--content", str(FIXTURE), "--out", str(out)]) == 0
    names = {"anki": f"{GUIDE}.apkg", "html": f"{GUIDE}.html", "pdf": f"{GUIDE}.pdf", "quiz": f"{GUIDE}-quiz.pdf"}
    return {kind: out / name for kind, name in names.items()}


def test_no_output_shows_cloze_braces(outputs: dict[str, Path]) -> None:
    page = text_of_html(outputs["html"].read_text(encoding="utf-8"))[0]
    printed = [normalize(" ".join(pdf_text(outputs[edition]))) for edition in ("pdf", "quiz")]
    col = import_apkg(outputs["anki"])
    try:
        shown = [text_of_html(card.question + card.answer)[0] for card in cards(col)]
    finally:
        col.close()
    for text in (page, *printed, *shown):
        assert "{{" not in text and "}}" not in text and "::" not in text
    assert "git add puts a change in the index" in page and "It holds for ohmic conductors" in page


def test_the_pdf_marks_clozes_and_the_self_test_edition_leaves_blanks(outputs: dict[str, Path]) -> None:
    full = normalize(" ".join(pdf_text(outputs["pdf"])[2:]))
    assert "git add puts a change in the index. The next commit records what it holds." in full
    pages = [normalize(page) for page in pdf_text(outputs["quiz"])]
    answers_at = next(n for n, page in enumerate(pages) if page.startswith(f"{'Cloze Fixture'} ANSWERS"))
    questions, answers = " ".join(pages[2:answers_at]), " ".join(pages[answers_at:])
    assert "puts a change in the" in questions and "staging area" in questions
    for hidden in ("git add", "index", "commit", "Ohm's law", "ohmic"):
        assert hidden not in questions.replace("What does git add do?", ""), hidden
    assert "a formula" in questions and "→ Answer 2" in questions
    assert "git add puts a change in the index" in answers and "It holds for ohmic conductors" in answers
    # A reversed question is one question, as often as any other, in both editions.
    for text in (full, questions, answers):
        assert text.count("Idempotent") == text.count("What does git status show?") == 1


def test_the_list_shows_clozes_filled_in_and_marked(outputs: dict[str, Path], browser: Browser) -> None:
    page = browser.new_page()
    try:
        page.goto(outputs["html"].as_uri())
        marked = page.eval_on_selector_all(
            "details.question .cloze", "els => els.map(e => [e.closest('details').id, e.dataset.cloze, e.textContent])"
        )
        marker = page.eval_on_selector(".cloze", "e => getComputedStyle(e).backgroundColor")
        cards_of = page.eval_on_selector_all("details.question", "els => els.map(e => e.dataset.cards || e.id)")
    finally:
        page.close()
    assert marked == [
        ["git-add", "1", "git add"],
        ["git-add", "2", "index"],
        ["git-add", "1", "commit"],
        ["ohm", "1", "Ohm's law"],
        ["ohm", "2", "U = R I"],  # the formula's text alternative
        ["ohm", "3", "ohmic"],
    ]
    assert marker == "rgb(255, 240, 184)"  # highlighted (a link is underlined)
    assert cards_of == [
        "git-add::c1 git-add::c2",
        "ohm::c1 ohm::c2 ohm::c3",
        "idempotent idempotent::reverse",
        "status",
    ]


def test_the_page_with_clozes_is_valid_html(outputs: dict[str, Path]) -> None:
    assert vnu_errors(outputs["html"]) == []


def start(context: BrowserContext, path: Path, tag: str) -> Page:
    """Open the page, keep the questions of one tag, and start studying them."""
    page = open_page(context, path, T0)
    page.select_option("#filter-tag", tag)
    page.click("#study-start")
    return page


def body(page: Page) -> str:
    """The visible text of the study card's body."""
    return " ".join(page.inner_text("#study-body").split())


def test_study_mode_counts_each_cloze_and_each_direction(
    contexts: Callable[..., BrowserContext], outputs: dict[str, Path]
) -> None:
    context = contexts()
    page = start(context, outputs["html"], "staging")  # the two-cloze question alone
    assert counts(page) == (2, 0, 0)
    assert current(page) == "git-add::c1"
    assert page.inner_text("#study-title") == "What does git add do?"
    front = body(page)
    assert "[…] puts a change in the index" in front and "The next […] records" in front and "git add" not in front
    page.keyboard.press("Space")
    assert "git add puts a change in the index" in body(page) and "commit" in body(page)
    assert page.locator("#study-body .cloze-current").count() == 2
    page.keyboard.press("3")
    assert current(page) == "git-add::c2"
    assert "git add puts a change in the [staging area]" in body(page) and "index" not in body(page)
    page.keyboard.press("Space")
    page.keyboard.press("3")
    assert sorted(stored(page, GUIDE)["cards"]) == ["git-add::c1", "git-add::c2"]

    page = start(context, outputs["html"], "words")  # the reversed question alone
    assert counts(page) == (2, 0, 2)  # two new; two done today
    assert current(page) == "idempotent" and page.inner_text("#study-title") == "Idempotent"
    page.keyboard.press("Space")
    page.keyboard.press("Space")
    page.keyboard.press("3")
    assert current(page) == "idempotent::reverse"
    assert page.inner_text("#study-title") == page.get_attribute("#study", "data-reverse")
    assert "however many times it is applied" in body(page) and "Sorting is one" not in body(page)
    page.keyboard.press("Space")
    assert page.inner_text("#study-title") == "Idempotent" and "Sorting is one" in body(page)
    page.keyboard.press("3")
    assert sorted(stored(page, GUIDE)["cards"]) == ["git-add::c1", "git-add::c2", "idempotent", "idempotent::reverse"]
    page.keyboard.press("Escape")
    assert page.locator("details.question .cloze-blank, details.question .cloze[hidden]").count() == 0


def test_each_item_keeps_its_progress_across_versions(contexts: Callable[..., BrowserContext], tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    path = build_page(content, tmp_path / "out")
    page = open_page(contexts(), path, T0)
    page.click("#study-start")
    assert counts(page) == (8, 0, 0)
    for _ in range(8):
        page.keyboard.press("Space")
        page.keyboard.press("Space")
        page.keyboard.press("4")
    before = stored(page, GUIDE)["cards"]
    assert len(before) == 8
    section = content / "01-clozes.md"
    text = section.read_text(encoding="utf-8").replace("records what it holds", "records {{c3::what it holds}}")
    section.write_text(text.replace("{{c2::index::staging area}}", "{{c2::staging index::staging area}}"), "utf-8")
    build_page(content, tmp_path / "out")
    page.reload()
    page.click("#study-start")
    assert counts(page)[0] == 1 and current(page) == "git-add::c3"
    assert stored(page, GUIDE)["cards"] == before


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_a_cloze_front_and_back(
    contexts: Callable[..., BrowserContext], outputs: dict[str, Path], scheme: str
) -> None:
    page = start(contexts(color_scheme=scheme, bypass_csp=True), outputs["html"], "physics")
    assert current(page) == "ohm::c1"
    assert axe_violations(page) == []
    page.keyboard.press("Space")
    assert axe_violations(page) == []


def test_cards_in_anki_s_reviewer_hide_one_cloze_and_draw_the_formulas(
    outputs: dict[str, Path], browser: Browser, tmp_path: Path
) -> None:
    col = import_apkg(outputs["anki"])
    try:
        sides = {}
        for card_id in col.find_cards("Id:ohm"):
            card = col.get_card(card_id)
            sides[card.ord + 1] = (card.question(), card.answer())
    finally:
        col.close()
    html = [side for number in sorted(sides) for side in sides[number]]
    seen = list(view(browser, html, tmp_path, 360))
    assert not [s for s in seen if s.errors or s.links or s.requests or s.width > s.room or s.contrast]
    fronts, backs = seen[0::2], seen[1::2]
    assert [s.math for s in fronts] == [1, 0, 1] and [s.math for s in backs] == [1, 1, 1]
    assert "[...]" in fronts[0].text and "Ohm's law" not in fronts[0].text
    assert "[a formula]" in fronts[1].text and "[...]" in fronts[2].text and "ohmic" not in fronts[2].text
    assert all("Ohm's law" in s.text and "ohmic" in s.text for s in backs)
