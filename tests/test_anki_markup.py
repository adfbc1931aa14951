"""Anki's own markup in content stays text on the card: no type-in box, no LaTeX image, no sound, no cloze."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from card_view import describe, type_answer_pattern, view
from readers import cards, import_apkg

from studyguide.cli import main

if TYPE_CHECKING:
    from playwright.sync_api import Browser

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# What Anki reads in a card's HTML before showing it (see ANKI_MARKUP in studyguide/renderers/anki/fields.py).
MARKERS = (
    "[[type:Answer]]",
    "[[type:nc:Core]]",
    "[[[type:cloze:Question]]]",
    r"[latex]\input{/etc/passwd}[/latex]",
    "[LaTeX]x[/LaTeX]",
    "[sound:a.mp3]",
    "[anki:tts lang=en_US]hello[/anki:tts]",
    "[anki:play:a:0]",
    "{{Answer}}",
)
TITLE = "[[type:Answer]] and [latex]x[/latex] and [sound:t.mp3]?"
SECTION = f"""# Marks [[type:Section]] [$$]s[/$$] {{#marks}}

## {TITLE} {{#marked}}

Tags: testing

> Core: {" ".join(MARKERS)}

Answer: {" ".join(MARKERS)}

In code (outside it, dollars make math, braces clozes): `[[type:Answer]] [$]z[/$] [$$]y[/$$] {{{{c1::cloze}}}}`

Sources: {" ".join(MARKERS)}

## Linked? {{#linked}}

Tags: testing

See also: [the marked question](#marked)

An answer.
"""
LABELS = '\n[labels]\nsee-also = "[[type:Answer]] [latex]l[/latex]"\nsources = "{{ Answer }} [$$]m[/$$]"\n'


@pytest.fixture(scope="module")
def marked_deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A deck whose section, title, core answer, answer, code, sources and labels hold Anki's markup."""
    tmp = tmp_path_factory.mktemp("marks")
    content = tmp / "content"
    shutil.copytree(FIXTURES / "valid", content)
    (content / "50-marks.md").write_text(SECTION, encoding="utf-8")
    with (content / "guide.toml").open("a", encoding="utf-8") as toml:
        toml.write(LABELS)
    assert main(["--format", "anki", "--content", str(content), "--out", str(tmp / "out")]) == 0
    return tmp / "out" / "fixture-guide.apkg"


def test_anki_reads_none_of_its_markup_in_a_card(marked_deck: Path, tmp_path: Path) -> None:
    """The real Anki library renders each card; Anki's reviewer pattern finds no type-in box in it."""
    typing = type_answer_pattern()
    col = import_apkg(marked_deck, tmp_path)
    try:
        rendered = cards(col)
        av_tags = [tag for card_id in col.find_cards("") for tag in col.get_card(card_id).answer_av_tags()]
    finally:
        col.close()
    assert av_tags == []
    for card in rendered:
        for side in (card.question, card.answer):
            assert typing.search(side) is None, side
            assert "<img class=latex" not in side and "[anki:play" not in side, side
            assert "{{" not in side, side


def test_a_learner_sees_anki_markup_as_the_text_it_is(marked_deck: Path, browser: Browser, tmp_path: Path) -> None:
    col = import_apkg(marked_deck, tmp_path)
    try:
        card = next(c for c in cards(col) if c.fields["Id"] == "marked")
        see_also = next(c for c in cards(col) if c.fields["Id"] == "linked")
    finally:
        col.close()
    question, answer, linked = view(browser, [card.question, card.answer, see_also.answer], tmp_path)
    assert "marks [[type:section]] [$$]s[/$$]" in question.text.casefold(), question.text  # set in capitals
    assert TITLE in question.text, question.text
    assert answer.text.count(" ".join(MARKERS)) == 3, answer.text  # core answer, answer, sources
    assert "[[type:Answer]] [$]z[/$] [$$]y[/$$] {{c1::cloze}}" in answer.text
    assert "{{ Answer }} [$$]m[/$$]" in answer.text  # the sources label
    assert "[[type:Answer]] [latex]l[/latex]" in linked.text and TITLE in linked.text  # the see-also label, a title
    assert answer.math == 0 and answer.errors == [] and answer.requests == [], describe(answer)
