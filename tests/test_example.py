"""The example guide (examples/git-basics) in every output; its notes never collide with the main deck's."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT
from readers import Card, cards, html_text, import_apkg, import_into, normalize, pdf_text, text_of_html

from studyguide.build.pipeline import load_guide
from studyguide.cli import main
from studyguide.model import Guide
from studyguide.renderers import registry
from studyguide.stages import Options

EXAMPLE = ROOT / "examples" / "git-basics"


def phrase(text: str) -> str:
    """A distinctive phrase: the first eight words of a text from the model."""
    return " ".join(text.split()[:8])


@pytest.fixture(scope="module")
def example() -> Guide:
    """The example guide, parsed."""
    return load_guide(EXAMPLE)


@pytest.fixture(scope="module")
def example_built(tmp_path_factory: pytest.TempPathFactory, example: Guide) -> dict[str, Path]:
    """Build every output of the example once through the command line's main()."""
    out = tmp_path_factory.mktemp("example-dist")
    assert main(["--format", "all", "--content", str(EXAMPLE), "--out", str(out)]) == 0
    return {name: out / renderer.filename(example, Options()) for name, renderer in registry().items()}


def test_example_is_its_own_guide(example: Guide, guide: Guide) -> None:
    assert example.meta.id != guide.meta.id
    assert example.meta.title != guide.meta.title
    assert len(example.questions) >= 5
    assert all(q.core is not None for q in example.questions)


def test_example_check_has_no_warnings(capsys: pytest.CaptureFixture[str], example: Guide) -> None:
    assert main(["--check", "--content", str(EXAMPLE)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert f"ok: {len(example.questions)} questions in {len(example.sections)} sections, 0 warnings" in captured.out


def test_example_anki_holds_every_question(example_built: dict[str, Path], example: Guide) -> None:
    col = import_apkg(example_built["anki"])
    try:
        imported: dict[str, Card] = {}
        for card in cards(col):  # each note's first card: the question's own (a reversed card or a cloze follows)
            imported.setdefault(card.fields["Id"], card)
    finally:
        col.close()
    assert set(imported) == {q.id for q in example.questions}
    for section in example.sections:
        for q in section.questions:
            card = imported[q.id]
            assert card.deck == f"{example.meta.title}::{section.title}"
            assert set(q.tags) <= set(card.tags)
            assert normalize(q.title) in text_of_html(card.question)[0]
            assert phrase(q.answer_text()) in text_of_html(card.answer)[0]


def test_example_pdf_holds_every_question(example_built: dict[str, Path], example: Guide) -> None:
    text = normalize("\n".join(pdf_text(example_built["pdf"])))
    assert normalize(example.meta.title) in text
    for q in example.questions:
        assert normalize(q.title) in text, q.id
        assert phrase(q.answer_text()) in text, q.id


def test_example_html_holds_every_question(example_built: dict[str, Path], example: Guide) -> None:
    text, ids = html_text(example_built["html"])
    for q in example.questions:
        assert q.id in ids
        assert normalize(q.title) in text
        assert phrase(q.answer_text()) in text


def test_example_notes_never_collide_with_the_main_deck(
    example_built: dict[str, Path], built: dict[str, Path], example: Guide, guide: Guide, tmp_path: Path
) -> None:
    col = import_apkg(built["anki"], tmp_path)
    try:
        import_into(col, example_built["anki"])
        notes = col.note_count()
        imported = cards(col)
    finally:
        col.close()
    assert notes == len(guide.questions) + len(example.questions)
    assert len({c.guid for c in imported}) == notes
    decks = {c.deck.split("::")[0] for c in imported}
    assert decks == {guide.meta.title, example.meta.title}


def test_same_question_id_in_two_guides_gives_two_notes(
    built: dict[str, Path], example: Guide, guide: Guide, tmp_path: Path
) -> None:
    """Note identity is the guide id plus the question id: a question id both guides use stays two notes."""
    shared, renamed = guide.questions[0].id, example.questions[0].id
    content = tmp_path / "content"
    content.mkdir()
    for path in EXAMPLE.iterdir():
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".md":
            text = text.replace(f"{{#{renamed}}}", f"{{#{shared}}}").replace(f"(#{renamed})", f"(#{shared})")
        (content / path.name).write_text(text, encoding="utf-8")
    assert shared in {q.id for q in load_guide(content).questions}
    out = tmp_path / "out"
    assert main(["--format", "anki", "--content", str(content), "--out", str(out)]) == 0
    col = import_apkg(built["anki"], tmp_path)
    try:
        import_into(col, out / f"{example.meta.id}.apkg")
        notes = col.note_count()
        ids = [c.fields["Id"] for c in cards(col)]
    finally:
        col.close()
    assert notes == len(guide.questions) + len(example.questions)
    assert ids.count(shared) == 2
