"""The Anki deck, imported and re-imported with the real Anki library."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

import git_tools
import pytest
from readers import cards, import_apkg, import_into, normalize, text_of_html

from studyguide.build.pipeline import load, load_guide
from studyguide.cli import arguments, main
from studyguide.model import Guide, Question
from studyguide.release import lock
from studyguide.renderers.anki import AnkiRenderer
from studyguide.renderers.anki.notes import FIELDS, MODEL_ID, MODEL_NAME, TEMPLATE_NAME
from studyguide.stages import TEMPLATES, Options
from studyguide.store.cache import unseal

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
T0 = 1_900_000_000  # the injected release clock

if TYPE_CHECKING:
    from anki.collection import Collection
    from anki.models import NotetypeId


def squash(text: str) -> str:
    """Drop all whitespace and MathJax delimiters, so rendered text compares with model text.

    A long formula comes in pieces, each ending with an operator drawn with an empty group after it
    (`\\(a ={}\\)\\(b\\)`, studyguide/markup/math/split.py): that group is a delimiter too.
    """
    text = text.replace("{}\\)", "\\)")
    for mark in ("\\(", "\\)", "\\[", "\\]"):
        text = text.replace(mark, "")
    return "".join(text.split())


def visible(markup: str) -> str:
    """Return the visible text of card HTML."""
    return text_of_html(markup)[0]


def build(content: Path, out: Path) -> Path:
    """Build the deck of a content folder; return the .apkg."""
    assert main(["--format", "anki", "--content", str(content), "--out", str(out)]) == 0
    return out / f"{load_guide(content).meta.id}.apkg"


def release(content: Path, now: int) -> None:
    """Release the content with an injected clock, writing only the lock (and a throwaway deck)."""
    assert (
        main(
            ["--release", "--format", "anki", "--content", str(content), "--out", str(content.parent / "rel")],
            clock=lambda: now,
        )
        == 0
    )


def sha256(path: Path) -> str:
    """Return a file's sha256."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def note_types(col: Collection) -> list[str]:
    """Return the names of the collection's note types made by this tool (copies included)."""
    return [m.name for m in col.models.all_names_and_ids() if m.name.startswith(MODEL_NAME)]


def schedule(col: Collection) -> dict[int, tuple[int, ...]]:
    """Return every card's scheduling state and review count."""
    assert col.db is not None
    rows = col.db.all("select id, due, ivl, queue, type, reps, did from cards")
    revlog = {cid: count for cid, count in col.db.all("select cid, count() from revlog group by cid")}
    return {row[0]: (*row[1:], revlog.get(row[0], 0)) for row in rows}


def review_every_card(col: Collection) -> dict[int, tuple[int, ...]]:
    """Answer every card once with "Good"; return the schedule that follows."""
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        card.start_timer()
        col.sched.answerCard(card, 3)
    return schedule(col)


def editable(guide: Guide) -> Question:
    """Return a question from the middle whose answer starts with a paragraph."""
    candidates = [q for q in guide.questions if q.answer.children[0].kind == "paragraph"]
    return candidates[len(candidates) // 2]


def edit_answer(q: Question, addition: str) -> None:
    """Append text to the first line of a question's answer, in its content file."""
    lines = q.source.path.read_text(encoding="utf-8").split("\n")
    lines[q.answer.children[0].line - 1] += addition
    q.source.path.write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A private copy of the real content (with its lock)."""
    shutil.copytree(CONTENT, tmp_path / "content")
    return tmp_path / "content"


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build of the real content."""
    return build(CONTENT, tmp_path_factory.mktemp("dist"))


def test_fresh_import_has_every_question_in_its_subdeck(deck: Path, guide: Guide) -> None:
    col = import_apkg(deck)
    try:
        assert col.note_count() == len(guide.questions)
        assert col.card_count() == len(guide.questions)
        assert note_types(col) == [MODEL_NAME]
        notetype = col.models.get(cast("NotetypeId", MODEL_ID))
        assert notetype is not None
        css = notetype["css"]
        assert ".nightMode" in css and ".night_mode" in css and ".mobile" in css
        assert "url(" not in css and "@import" not in css
        imported = {c.fields["Id"]: c for c in cards(col)}
    finally:
        col.close()
    assert set(imported) == {q.id for q in guide.questions}
    titles = {q.id: q.title for q in guide.questions}
    for section in guide.sections:
        for q in section.questions:
            card = imported[q.id]
            assert card.deck == f"{guide.meta.title}::{section.title}"
            assert sorted(card.tags) == sorted([*q.tags, f"{guide.meta.id}::{section.id}"])
            assert all(" " not in tag for tag in card.tags)
            front, back = visible(card.question), visible(card.answer)
            assert front and back and "{{" not in card.question + card.answer
            assert normalize(q.title) in front
            assert squash(q.answer_text()) not in squash(front)
            assert normalize(q.title) in back and squash(q.answer_text()) in squash(back)
            for extra in (q.core, q.sources):
                if extra is not None:
                    assert squash(extra.plain_text()) in squash(back)
            for other in q.see_also:
                assert squash(titles[other]) in squash(back)
            assert "<script" not in card.answer and "http" not in card.question


def test_reimport_of_the_same_build_changes_nothing(deck: Path, guide: Guide) -> None:
    col = import_apkg(deck)
    try:
        log = import_into(col, deck)
        assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 0, 0)
        assert len(log.duplicate) == len(guide.questions)
        assert col.note_count() == len(guide.questions)
        assert note_types(col) == [MODEL_NAME]
    finally:
        col.close()


def test_edited_answer_updates_only_its_note_and_keeps_every_review(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    release(content, T0)
    before = build(content, tmp_path / "d1")
    col = import_apkg(before)
    try:
        reviewed = review_every_card(col)
        assert all(state[-1] == 1 for state in reviewed.values())

        guide = load_guide(content)
        edited = editable(guide)
        edit_answer(edited, " Corrected in this edition.")
        capsys.readouterr()
        after = build(content, tmp_path / "d2")
        assert f"1 updated: {edited.id}" in capsys.readouterr().out

        log = import_into(col, after)
        assert (len(log.new), len(log.conflicting), len(log.missing_notetype)) == (0, 0, 0)
        assert [note.fields[FIELDS.index("Id")] for note in log.updated] == [edited.id]
        assert schedule(col) == reviewed
        assert col.note_count() == len(guide.questions)
        assert note_types(col) == [MODEL_NAME]
        answers = {c.fields["Id"]: c.fields["Answer"] for c in cards(col)}
        assert "Corrected in this edition." in answers[edited.id]

        # The release stamps the edit with the clock: newer again, the others untouched.
        release(content, T0 + 100)
        log = import_into(col, build(content, tmp_path / "d3"))
        assert [note.fields[FIELDS.index("Id")] for note in log.updated] == [edited.id]
        assert (len(log.new), len(log.conflicting)) == (0, 0)
        assert schedule(col) == reviewed
    finally:
        col.close()


def test_two_builds_are_identical_and_leave_the_content_alone(content: Path, tmp_path: Path) -> None:
    files = {p: p.read_bytes() for p in content.rglob("*") if p.is_file()}
    first, second = build(content, tmp_path / "a"), build(content, tmp_path / "b")
    assert sha256(first) == sha256(second)
    assert {p: p.read_bytes() for p in content.rglob("*") if p.is_file()} == files


def test_unreleased_edit_and_new_question_get_deterministic_newer_times(content: Path, tmp_path: Path) -> None:
    release(content, T0)
    locked = json.loads((content / lock.LOCK_FILE).read_text(encoding="utf-8"))
    guide = load_guide(content)
    edited = editable(guide)
    edit_answer(edited, " Reworded.")
    path = edited.source.path
    added = "\n## A new question? {#brand-new-question}\n\nTags: new\n\nIts answer.\n"
    path.write_text(path.read_text(encoding="utf-8") + added, encoding="utf-8")
    first, second = build(content, tmp_path / "a"), build(content, tmp_path / "b")
    assert sha256(first) == sha256(second)
    col = import_apkg(first)
    try:
        mods = {c.fields["Id"]: c.mod for c in cards(col)}
    finally:
        col.close()
    assert mods[edited.id] == locked["notes"][edited.id]["mod"] + 1
    assert mods["brand-new-question"] == locked["released"] + 1
    assert all(mods[i] == entry["mod"] for i, entry in locked["notes"].items() if i != edited.id)

    release(content, T0 + 100)
    relocked = json.loads((content / lock.LOCK_FILE).read_text(encoding="utf-8"))
    assert relocked["notes"][edited.id]["mod"] == relocked["notes"]["brand-new-question"]["mod"] == T0 + 100
    unchanged = {i: e for i, e in relocked["notes"].items() if i not in (edited.id, "brand-new-question")}
    assert unchanged == {i: e for i, e in locked["notes"].items() if i != edited.id}


def test_release_without_changes_keeps_the_lock_bytes(content: Path) -> None:
    release(content, T0)
    text = (content / lock.LOCK_FILE).read_text(encoding="utf-8")
    release(content, T0 + 500)
    assert (content / lock.LOCK_FILE).read_text(encoding="utf-8") == text
    data = json.loads(text)
    assert list(data["notes"]) == sorted(data["notes"])
    assert data["guide"] == load_guide(content).meta.id


def test_css_change_moves_the_note_type_forward(content: Path, tmp_path: Path) -> None:
    release(content, T0)
    guide = load_guide(content)
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    old = tmp_path / "old.apkg"
    old.write_bytes(AnkiRenderer().render(load(guide.root, Options(templates=templates))))
    css = templates / "anki" / "style.css"
    css.write_text(css.read_text(encoding="utf-8") + ".sg-test-marker { color: red; }\n", encoding="utf-8")
    new = tmp_path / "new.apkg"
    new.write_bytes(AnkiRenderer().render(load(guide.root, Options(templates=templates))))
    col = import_apkg(old)
    try:
        # Read through SQL first: col.models caches note types across an import.
        assert col.db is not None
        old_mod = col.db.scalar("select mtime_secs from notetypes where id = ?", MODEL_ID)
        log = import_into(col, new)
        assert col.db.scalar("select mtime_secs from notetypes where id = ?", MODEL_ID) > old_mod
        notetype = col.models.get(cast("NotetypeId", MODEL_ID))
        assert notetype is not None
        assert "sg-test-marker" in notetype["css"]
        assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 0, 0)
        assert note_types(col) == [MODEL_NAME]
    finally:
        col.close()


def test_build_reports_new_removed_and_renamed_since_the_release(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    release(content, T0)
    lock_file = content / lock.LOCK_FILE
    data = json.loads(lock_file.read_text(encoding="utf-8"))
    data["notes"]["a-question-since-removed"] = {"hash": "0" * 16, "mod": T0}
    lock_file.write_text(json.dumps(data), encoding="utf-8")
    guide = load_guide(content)
    section = guide.sections[0]
    lines = section.source.path.read_text(encoding="utf-8").split("\n")
    lines[section.source.line - 1] = f"# {section.title} Renamed {{#{section.id}}}"
    section.source.path.write_text("\n".join(lines), encoding="utf-8")
    capsys.readouterr()
    build(content, tmp_path / "out")
    out = capsys.readouterr().out
    assert "1 removed" in out and "a-question-since-removed" in out
    assert f"'{guide.meta.title}::{section.title}' -> '{guide.meta.title}::{section.title} Renamed'" in out
    assert f"{len(section.questions)} updated" in out


def test_malformed_lock_is_a_content_error(content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (content / lock.LOCK_FILE).write_text('{\n  "version": 1,\n  oops\n}\n', encoding="utf-8")
    assert main(["--format", "anki", "--content", str(content), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert f"{content / lock.LOCK_FILE}:3: " in err
    assert not (tmp_path / "out").exists()


def test_lock_of_another_guide_is_refused(content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    release(content, T0)
    lock_file = content / lock.LOCK_FILE
    lock_file.write_text(lock_file.read_text(encoding="utf-8").replace(load_guide(content).meta.id, "other-guide", 1))
    assert main(["--format", "anki", "--content", str(content), "--out", str(tmp_path / "out")]) == 1
    line = next(n for n, text in enumerate(lock_file.read_text().split("\n"), 1) if text.startswith('  "guide"'))
    assert f"{lock_file}:{line}: malformed Anki lock (it belongs to 'guide' 'other-guide'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "damage",
    [
        ('"decks": {', '"decks": [], "x": {'),
        ('"released": ', '"released": Infinity, "y": '),
        ('"mod": ', '"mod": 1e23, "z": '),
    ],
)
def test_a_lock_with_wrong_types_is_a_message_not_a_traceback(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: tuple[str, str]
) -> None:
    release(content, T0)
    lock_file = content / lock.LOCK_FILE
    lock_file.write_text(lock_file.read_text(encoding="utf-8").replace(*damage, 1), encoding="utf-8")
    assert main(["--format", "anki", "--content", str(content), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert f"{lock_file}:" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_note_type_structure_is_frozen() -> None:
    # Changing any of these makes every learner's notes conflict: this test guards the freeze.
    assert MODEL_ID == 1_607_392_319
    assert FIELDS == ("Id", "Question", "Core", "Answer", "Sources", "SeeAlso", "Section")
    assert TEMPLATE_NAME == "Card 1"


def test_release_is_documented_and_not_combined_with_check(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "--release" in arguments().format_help()
    (content / lock.LOCK_FILE).unlink(missing_ok=True)
    assert main(["--check", "--release", "--content", str(content)], clock=lambda: T0) == 2
    assert "--release" in capsys.readouterr().err
    assert not (content / lock.LOCK_FILE).exists()


def test_the_note_type_is_cached_so_a_deck_build_needs_no_template_engine(tmp_path: Path) -> None:
    content = Path(__file__).resolve().parent / "fixtures" / "valid"  # no code blocks: Pygments only for the CSS
    cache = tmp_path / "cache"
    script = (
        "import sys; from studyguide.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print(code, 'jinja2' in sys.modules, 'pygments' in sys.modules)\n"
    )

    def deck(out: str) -> tuple[str, bytes]:
        argv = ["--format", "anki", "--content", str(content), "--out", str(tmp_path / out), "--force"]
        env = {**os.environ, "STUDYGUIDE_CACHE": str(cache)}
        done = subprocess.run(
            [sys.executable, "-c", script, *argv], capture_output=True, text=True, check=True, env=env
        )
        apkg = tmp_path / out / f"{load_guide(content).meta.id}.apkg"
        return done.stdout.splitlines()[-1], apkg.read_bytes()

    first = deck("first")
    assert first[0] == "0 True True"  # rendered: jinja2 for the templates, Pygments for the code CSS
    (stored,) = [p for p in (cache / "anki").rglob("*") if p.is_file()]
    second = deck("second")
    assert second == ("0 False False", first[1])
    stored.write_text("{damaged", encoding="utf-8")
    assert deck("third") == first
    payload = unseal(stored.read_bytes())
    assert payload is not None and json.loads(payload)["css"]


def git(folder: Path, *args: str, when: int = T0) -> None:
    """Run git in a folder as a fixed author, at the test's own time unless told."""
    git_tools.git(folder, *args, when=when)


def test_every_committed_edit_reaches_learners_without_a_release(content: Path, tmp_path: Path) -> None:
    """Two edits of one question, each committed and built without --release, both arrive; reviews stay."""
    locked = json.loads((content / "anki.lock.json").read_text(encoding="utf-8"))
    past = max(entry["mod"] for entry in locked["notes"].values())  # after the lock, before the clock (a commit
    release(content, past)  # dated later than the build's clock is taken as now)
    git(content.parent, "init", "-q")
    git(content.parent, "add", "content")
    git(content.parent, "commit", "-q", "-m", "release", when=past + 10)
    col = import_apkg(build(content, tmp_path / "d1"))
    try:
        reviewed = review_every_card(col)
        edited = editable(load_guide(content))
        for round, when in enumerate((past + 1_000, past + 2_000), start=1):
            edit_answer(load_guide(content).question(edited.id), f" Edit {round}.")
            git(content.parent, "commit", "-q", "-a", "-m", f"edit {round}", when=when)
            deck = build(content, tmp_path / f"d{round + 1}")
            assert (
                build(content, tmp_path / f"again{round}").read_bytes() == deck.read_bytes()
            )  # same commit, same bytes
            log = import_into(col, deck)
            assert [note.fields[FIELDS.index("Id")] for note in log.updated] == [edited.id], round
            answers = {c.fields["Id"]: c.fields["Answer"] for c in cards(col)}
            assert f"Edit {round}." in answers[edited.id]
            assert schedule(col) == reviewed
    finally:
        col.close()


def test_outside_git_the_build_says_an_edit_needs_a_release(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build(content, tmp_path / "out")
    assert capsys.readouterr().out.count("only once you run `studyguide release`") == 1
