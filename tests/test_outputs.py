"""The invariant: every question of the content appears in every output, read by a real reader."""

from __future__ import annotations

from pathlib import Path

from readers import cards, html_text, import_apkg, normalize, pdf_text, text_of_html

from studyguide.model import Guide, Question


def phrase(q: Question) -> str:
    """A distinctive phrase of the answer: its first eight words, from the model."""
    return " ".join(q.answer_text().split()[:8])


def test_apkg_imports_every_question(built: dict[str, Path], guide: Guide) -> None:
    col = import_apkg(built["anki"])
    try:
        imported = {c.fields["Id"]: c for c in cards(col)}
    finally:
        col.close()
    assert len(imported) == len(guide.questions)
    for section in guide.sections:
        for q in section.questions:
            card = imported[q.id]
            assert card.deck == f"{guide.meta.title}::{section.title}"
            assert set(q.tags) <= set(card.tags)
            assert normalize(q.title) in text_of_html(card.question)[0]
            assert "{{" not in card.question and "{{" not in card.answer
            assert phrase(q) in text_of_html(card.answer)[0]


def test_pdf_holds_every_question(built: dict[str, Path], guide: Guide) -> None:
    text = normalize("\n".join(pdf_text(built["pdf"])))
    for q in guide.questions:
        assert normalize(q.title) in text, q.id
        assert phrase(q) in text, q.id


def test_html_holds_every_question(built: dict[str, Path], guide: Guide) -> None:
    text, ids = html_text(built["html"])
    for q in guide.questions:
        assert q.id in ids
        assert normalize(q.title) in text
        assert phrase(q) in text
