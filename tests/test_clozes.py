"""Clozes and reversed cards in the deck: imported, reviewed, edited, re-imported with the real Anki library."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest
from readers import import_apkg, import_into, text_of_html
from test_anki import T0, build, release, review_every_card, schedule

from studyguide.build.pipeline import load, load_guide
from studyguide.errors import ContentError
from studyguide.release import lock
from studyguide.renderers.anki import AnkiRenderer
from studyguide.renderers.anki.kinds import (
    CLOZE_FIELDS,
    CLOZE_MODEL_ID,
    CLOZE_NAME,
    CLOZE_TEMPLATE,
    FIELDS,
    REVERSED_MODEL_ID,
    REVERSED_NAME,
    REVERSED_TEMPLATE,
    TEMPLATE_NAME,
)
from studyguide.stages import TEMPLATES, Options

if TYPE_CHECKING:
    from anki.collection import Collection
    from anki.models import NotetypeId

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "clozes"


def visible(markup: str) -> str:
    """Return the visible text of card HTML (its style dropped)."""
    return text_of_html(markup)[0]


def by_card(col: Collection) -> dict[str, tuple[str, str]]:
    """Return each card's visible front and back, keyed `id`, `id::cN` or `id::reverse` as study mode keys them."""
    assert col.db is not None
    found = {}
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        note = card.note()
        qid = note["Id"]
        if note.mid == CLOZE_MODEL_ID:
            key = f"{qid}::c{card.ord + 1}"
        else:
            key = f"{qid}::reverse" if card.ord == 1 else qid
        found[key] = (visible(card.question()), visible(card.answer()))
    return found


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A private copy of the cloze fixture guide."""
    shutil.copytree(FIXTURE, tmp_path / "content")
    return tmp_path / "content"


def edit(content: Path, old: str, new: str) -> None:
    """Replace text in the fixture's section file."""
    path = content / "01-clozes.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_note_types_are_frozen() -> None:
    # Changing any of these makes every learner's notes of that type conflict: this test guards the freeze.
    assert (CLOZE_MODEL_ID, CLOZE_NAME, CLOZE_TEMPLATE) == (1_607_392_401, "studyguide cloze", "Cloze")
    assert CLOZE_FIELDS == ("Id", "Question", "Text", "Extra", "Sources", "SeeAlso", "Section")
    assert (REVERSED_MODEL_ID, REVERSED_NAME) == (1_607_392_402, "studyguide question and reversed")
    assert (TEMPLATE_NAME, REVERSED_TEMPLATE) == ("Card 1", "Card 2")
    assert FIELDS == ("Id", "Question", "Core", "Answer", "Sources", "SeeAlso", "Section")


def test_a_cloze_card_per_number_hides_one_and_a_reversed_question_gives_two(tmp_path: Path) -> None:
    col = import_apkg(build(FIXTURE, tmp_path / "out"))
    try:
        seen = by_card(col)
        names = sorted(m.name for m in col.models.all_names_and_ids() if m.name.startswith("studyguide"))
        types = {i: (col.models.get(cast("NotetypeId", i)) or {})["type"] for i in (CLOZE_MODEL_ID, REVERSED_MODEL_ID)}
        assert col.note_count() == 4
    finally:
        col.close()
    assert names == [CLOZE_NAME, "studyguide question", REVERSED_NAME]
    assert types == {CLOZE_MODEL_ID: 1, REVERSED_MODEL_ID: 0}
    assert sorted(seen) == sorted(
        ["git-add::c1", "git-add::c2", "ohm::c1", "ohm::c2", "ohm::c3", "idempotent", "idempotent::reverse", "status"]
    )
    # Two cards for {{c1::...}} (twice) and {{c2::index::staging area}}: each front hides one, the hint shown.
    front1, back1 = seen["git-add::c1"]
    front2, back2 = seen["git-add::c2"]
    assert "What does git add do?" in front1 and "What does git add do?" in front2  # the title: context on every card
    assert "git add" not in front1.replace("What does git add do?", "") and "commit" not in front1
    assert "[...] puts a change in the index" in front1 and "The next [...] records" in front1
    assert "git add puts a change in the [staging area]" in front2 and "index" not in front2
    for back in (back1, back2):
        assert "git add puts a change in the index" in back and "The next commit records what it holds" in back
    # A formula inside a cloze, a bold cloze, the sources on the back only.
    assert "[a formula]" in seen["ohm::c2"][0] and "U = R I" not in seen["ohm::c2"][0]
    assert "U = R I" in seen["ohm::c2"][1] and "Die galvanische Kette" in seen["ohm::c3"][1]
    # The reversed card shows the core answer and asks for the question; its back names it.
    front, back = seen["idempotent::reverse"]
    assert "however many times it is applied" in front and "Idempotent" not in front
    assert "Which question does this answer?" in front and "Idempotent" in back and "Sorting is one" in back
    assert "Idempotent" in seen["idempotent"][0] and "however many" not in seen["idempotent"][0]
    assert not [key for key, sides in seen.items() if "{{" in "".join(sides)]


def test_editing_cloze_2_keeps_every_review_and_a_new_number_adds_a_card(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    release(content, T0)
    col = import_apkg(build(content, tmp_path / "d1"))
    try:
        reviewed = review_every_card(col)
        assert len(reviewed) == 8 and all(state[-1] == 1 for state in reviewed.values())
        edit(content, "{{c2::index::staging area}}", "{{c2::staging index::staging area}}")
        release(content, T0 + 100)
        log = import_into(col, build(content, tmp_path / "d2"))
        assert [note.fields[0] for note in log.updated] == ["git-add"]  # Id, the first field of every note type
        assert (len(log.new), len(log.conflicting)) == (0, 0)
        assert schedule(col) == reviewed
        assert "in the staging index" in by_card(col)["git-add::c2"][1]

        edit(content, "records what it holds", "records {{c3::what it holds}}")
        capsys.readouterr()
        release(content, T0 + 200)
        assert "1 cloze card added: git-add::c3" in capsys.readouterr().out
        import_into(col, build(content, tmp_path / "d3"))
        now = schedule(col)
        assert {k: v for k, v in now.items() if k in reviewed} == reviewed and len(now) == 9
        assert "[...]" in by_card(col)["git-add::c3"][0]
    finally:
        col.close()


def reviewed_then_edited(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str
) -> tuple[Collection, dict[int, tuple[int, ...]], str]:
    """Release, import and review every card; then edit, release again and import: the collection, the reviews
    before, and what the second release said."""
    release(content, T0)
    col = import_apkg(build(content, tmp_path / "d1"))
    reviewed = review_every_card(col)
    edit(content, old, new)
    capsys.readouterr()
    release(content, T0 + 100)
    said = capsys.readouterr().out
    import_into(col, build(content, tmp_path / "d2"))
    return col, reviewed, said


def test_removing_a_cloze_number_is_reported_and_anki_keeps_its_card_empty(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    col, reviewed, said = reviewed_then_edited(content, tmp_path, capsys, "{{c3::**ohmic**}}", "**ohmic**")
    try:
        assert "1 cloze card removed: ohm::c3" in said and "Tools > Empty Cards" in said
        assert schedule(col) == reviewed  # the card stays, with its reviews, until Empty Cards
        assert col.card_count() == 8
    finally:
        col.close()
    entry = json.loads((content / lock.LOCK_FILE).read_text(encoding="utf-8"))["notes"]["ohm"]
    assert (entry["kind"], entry["cards"]) == ("cloze", [1, 2])


def test_a_question_that_becomes_a_cloze_is_a_new_note_and_the_release_says_so(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = "> The state of the working tree", "> The state of the {{c1::working tree}}"
    col, reviewed, said = reviewed_then_edited(content, tmp_path, capsys, old, new)
    try:
        assert "status is now a cloze note (was a question)" in said and "keep the old one" in said
        assert {k: v for k, v in schedule(col).items() if k in reviewed} == reviewed
        assert (col.note_count(), col.card_count()) == (5, 9)  # the old note beside the new
        assert "[...]" in by_card(col)["status::c1"][0]
    finally:
        col.close()


def test_each_note_type_has_its_own_time_and_a_template_change_moves_only_its_own(
    content: Path, tmp_path: Path
) -> None:
    release(content, T0)
    locked = json.loads((content / lock.LOCK_FILE).read_text(encoding="utf-8"))
    assert set(locked["note_types"]) == {"cloze", "reversed"} and locked["note_type"]["mod"] == T0
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    old = AnkiRenderer().render(load(content, Options(templates=templates)))
    css = templates / "anki" / "types.css"
    css.write_text(css.read_text(encoding="utf-8") + ".sg-test-marker { color: red; }\n", encoding="utf-8")
    assert (
        "card templates/CSS changed (cloze note, question with a reversed card)"
        in lock.changes(
            AnkiRenderer().snapshot(load(content, Options(templates=templates)), None),
            lock.read(content / lock.LOCK_FILE, "cloze-fixture", 0),
        ).summary()
    )
    new = AnkiRenderer().render(load(content, Options(templates=templates)))
    (tmp_path / "old.apkg").write_bytes(old)
    (tmp_path / "new.apkg").write_bytes(new)
    col = import_apkg(tmp_path / "old.apkg")
    try:
        assert col.db is not None
        mtimes = "select id, mtime_secs from notetypes where name like 'studyguide%'"
        before: dict[int, int] = {row[0]: row[1] for row in col.db.all(mtimes)}
        import_into(col, tmp_path / "new.apkg")
        after: dict[int, int] = {row[0]: row[1] for row in col.db.all(mtimes)}
        assert {i for i in after if after[i] != before[i]} == {CLOZE_MODEL_ID, REVERSED_MODEL_ID}
        cloze_type = col.models.get(cast("NotetypeId", CLOZE_MODEL_ID))
        assert cloze_type is not None and "sg-test-marker" in cloze_type["css"]
    finally:
        col.close()


def test_the_real_guide_lock_is_read_and_written_back_byte_for_byte(tmp_path: Path) -> None:
    """Today's lock (one note type, no kinds) keeps working: read, dumped unchanged, nothing to release."""
    path = ROOT / "content" / lock.LOCK_FILE
    guide = load_guide(ROOT / "content")
    read = lock.read(path, guide.meta.id, 0)
    assert read.note_types == {} and all(e.kind == "question" and not e.cards for e in read.notes.values())
    assert lock.dump(read) == path.read_text(encoding="utf-8")
    found = lock.changes(AnkiRenderer().snapshot(load(ROOT / "content"), None), read)
    # the note types added beside it force no release: whatever else changed is the content's own
    assert not found.note_types and not found.retyped


def test_a_released_fixture_lock_round_trips_and_refuses_an_unknown_kind(content: Path) -> None:
    release(content, T0)
    path = content / lock.LOCK_FILE
    read = lock.read(path, "cloze-fixture", 0)
    assert lock.dump(read) == path.read_text(encoding="utf-8")
    assert read.notes["git-add"].cards == (1, 2) and read.notes["idempotent"].kind == "reversed"
    path.write_text(path.read_text(encoding="utf-8").replace('"kind": "cloze"', '"kind": "other"', 1), "utf-8")
    with pytest.raises(ContentError) as info:
        lock.read(path, "cloze-fixture", 0)
    assert "unknown 'kind' 'other'" in str(info.value.problems[0])


def test_cloze_text_and_hints_cannot_end_a_cloze_or_make_another(tmp_path: Path) -> None:
    """Braces and colons inside a cloze stay text in Anki; outside the clozes the parser found, `{{` is never markup."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    (content / "02-tricky.md").write_text(
        "# Tricky {#tricky}\n\n## What does this code print? {#tricky-code}\n\nTags: git\n\n"
        "> It prints {{c1::`a::b}} {{c2::x}}`::what :: and }} print}} and `{{c3::literal}}`.\n\n"
        "Then {{c2::$\\frac{a}{b}$}} and \\{{c4::escaped::a \\\\(hint\\\\)}}.\n",
        encoding="utf-8",
    )
    col = import_apkg(build(content, tmp_path / "out"))
    try:
        seen = {k: v for k, v in by_card(col).items() if k.startswith("tricky-code")}
        (text,) = [col.get_note(n)["Text"] for n in col.find_notes("Id:tricky-code")]
    finally:
        col.close()
    assert sorted(seen) == ["tricky-code::c1", "tricky-code::c2", "tricky-code::c4"]
    front1, back1 = seen["tricky-code::c1"]
    # The hint runs to the first `}}`, as in Anki; what follows is text.
    assert "It prints [what :: and] print}} and {{c3::literal}}" in front1 and "a::b" not in front1
    assert "It prints a::b}} {{c2::x}} print}} and {{c3::literal}}" in back1
    front2, back2 = seen["tricky-code::c2"]
    assert "It prints a::b}} {{c2::x}} print}} and" in front2 and "Then [...] and escaped" in front2
    assert "Then \\(\\frac{a}{b}\\) and" in back2  # the formula's TeX, for MathJax to draw
    assert "a \\<span></span>(hint\\<span></span>)}}" in text  # the hint's \( is no formula for MathJax
