"""Cards as a learner sees them on a phone and a desktop: nothing scrolls sideways, no link leads nowhere."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from card_view import describe, view
from readers import cards, import_apkg

from studyguide.cli import main

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
GUIDES = [
    ROOT / "content",
    ROOT / "examples" / "git-basics",
    *(FIXTURES / name for name in ("gfm", "rich", "print", "valid", "screens-en", "screens-ar")),
]


@pytest.fixture(scope="module")
def backs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every card's back (answer side), by question id, from the real content and the fixtures."""
    found: dict[str, str] = {}
    for content in GUIDES:
        out = tmp_path_factory.mktemp("decks")
        assert main(["--format", "anki", "--content", str(content), "--out", str(out)]) == 0
        (deck,) = out.glob("*.apkg")
        col = import_apkg(deck)
        try:
            found.update({c.fields["Id"]: c.answer for c in cards(col)})
        finally:
            col.close()
    return found


@pytest.mark.parametrize(
    ("width", "night"),
    [(360, False), (360, True), (390, False), (1000, False), (1000, True)],
    ids=["360-day", "360-night", "390-day", "1000-day", "1000-night"],
)
def test_every_card_fits_the_screen_and_reads_clearly(
    backs: dict[str, str], browser: Browser, tmp_path: Path, width: int, night: bool
) -> None:
    """Long inline formulas wrap, never before the punctuation right after them; a wide formula, table or code
    block scrolls inside the card, its start in view (right to left too); nothing is cut off; MathJax draws every
    formula; all text has a contrast of at least 4.5:1 (3:1 when large), in day and night mode."""
    seen = list(view(browser, list(backs.values()), tmp_path, width, night))
    wide = [(qid, describe(s)) for qid, s in zip(backs, seen, strict=True) if s.width > s.room or s.cut]
    assert wide == []
    assert [(qid, s.alone) for qid, s in zip(backs, seen, strict=True) if s.alone] == []  # `$x$,` keeps its comma
    assert sum(s.math for s in seen) > 100 and not [s for s in seen if s.errors]
    assert [(qid, s.contrast) for qid, s in zip(backs, seen, strict=True) if s.contrast] == []


def test_see_also_is_a_list_and_code_keeps_its_lines(backs: dict[str, str], browser: Browser, tmp_path: Path) -> None:
    """See also lists one title an item (a title may hold a comma); a long code line scrolls, never wraps."""
    from studyguide.build.pipeline import load_guide

    guide = load_guide(FIXTURES / "print")
    q = guide.question("long-title")
    back = backs[q.id]
    titles = [guide.question(other).title for other in q.see_also]
    assert re.search(r'<div class="sg-see-also">.*?<ul>' + "".join(rf"<li>{re.escape(t)}</li>" for t in titles), back)
    page = browser.new_page(viewport={"width": 360, "height": 800})
    try:
        page.set_content(f'<body class="card">{backs["isolation"]}</body>')
        lines = page.evaluate(
            """() => [...document.querySelectorAll("pre")].map((pre) => {
                 const style = getComputedStyle(pre);
                 return [style.whiteSpace, pre.scrollWidth > pre.clientWidth];
               })"""
        )
    finally:
        page.close()
    assert lines == [["pre", True]]


def test_a_link_to_another_question_is_its_text_on_a_card(backs: dict[str, str]) -> None:
    """A card cannot open another card: a question link keeps its words and loses the dead link."""
    with_refs = [html for html in backs.values() if 'class="question-ref"' in html]
    assert with_refs
    assert not [html for html in backs.values() if 'href="#' in html]
