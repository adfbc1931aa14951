"""Cards as a learner sees them on a phone and a desktop: nothing scrolls sideways, no link leads nowhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_tools import launch
from card_view import describe, view
from readers import cards, import_apkg

from studyguide.cli import main

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent
GUIDES = [ROOT / "content", ROOT / "tests" / "fixtures" / "gfm", ROOT / "tests" / "fixtures" / "rich"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launch()


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


@pytest.mark.parametrize("width", [390, 1000])
def test_no_card_scrolls_sideways(backs: dict[str, str], browser: Browser, tmp_path: Path, width: int) -> None:
    """Wide formulas, tables and code scroll inside the card; the card itself fits the screen."""
    seen = list(view(browser, list(backs.values()), tmp_path, width))
    wide = [(qid, describe(s)) for qid, s in zip(backs, seen, strict=True) if s.width > s.room]
    assert wide == []
    assert sum(s.math for s in seen) > 100 and not [s for s in seen if s.errors]


def test_a_link_to_another_question_is_its_text_on_a_card(backs: dict[str, str]) -> None:
    """A card cannot open another card: a question link keeps its words and loses the dead link."""
    with_refs = [html for html in backs.values() if 'class="question-ref"' in html]
    assert with_refs
    assert not [html for html in backs.values() if 'href="#' in html]
