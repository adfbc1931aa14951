"""The benchmark's guides: synthetic copies of the real content, a guide written to collide, and one-answer edits."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def synthetic(size: int, target: Path) -> Path:
    """Write a guide of `size` questions: copies of the real content with unique ids and titles."""
    from studyguide.build.pipeline import load_guide

    real = load_guide(ROOT / "content")
    per_copy = len(real.questions)
    copies = -(-size // per_copy)
    content = target / f"content-{size}"
    shutil.rmtree(content, ignore_errors=True)
    content.mkdir(parents=True)
    for path in (ROOT / "content").iterdir():
        if path.suffix != ".md" and path.is_file() and path.name != "anki.lock.json":
            shutil.copyfile(path, content / path.name)
        elif path.is_dir():
            shutil.copytree(path, content / path.name)
    meta = (content / "guide.toml").read_text(encoding="utf-8")
    (content / "guide.toml").write_text(re.sub(r'(?m)^id = "([^"]+)"', rf'id = "\1-x{size}"', meta), encoding="utf-8")
    left = size
    for copy in range(copies):
        for path in sorted((ROOT / "content").glob("*.md")):
            if left <= 0:
                break
            text = path.read_text(encoding="utf-8")
            text = re.sub(r"\{#([a-z0-9-]+)\}", rf"{{#\1-c{copy}}}", text)
            text = re.sub(r"\(#([a-z0-9-]+)\)", rf"(#\1-c{copy})", text)
            text = re.sub(r"(?m)^(#{1,2} )(.*?)( \{#)", rf"\1\2 (copy {copy + 1})\3", text)
            blocks = re.split(r"(?m)^(?=## )", text)
            keep = [blocks[0]] + blocks[1 : 1 + left]
            left -= len(keep) - 1
            (content / f"{copy:04d}-{path.name}").write_text("".join(keep), encoding="utf-8")
    unlink_missing(content)
    return content


def unlink_missing(content: Path) -> None:
    """In a partial copy, turn links to the questions it leaves out into their text (See also: drop them)."""
    files = sorted(content.glob("*.md"))
    held = {m for path in files for m in re.findall(r"\{#([a-z0-9-]+)\}", path.read_text(encoding="utf-8"))}
    for path in files:
        text = path.read_text(encoding="utf-8")

        def see_also(line: re.Match[str]) -> str:
            links = re.findall(r"\[[^\]]*\]\(#([a-z0-9-]+)\)", line[1])
            entries = [m[0] for m in re.finditer(r"\[[^\]]*\]\(#([a-z0-9-]+)\)", line[1]) if m[1] in held]
            return line[0] if len(entries) == len(links) else f"See also: {', '.join(entries)}\n" if entries else ""

        text = re.sub(r"(?m)^See also: (.*)\n", see_also, text)
        text = re.sub(r"\[([^\]]*)\]\(#([a-z0-9-]+)\)", lambda m: m[0] if m[2] in held else m[1], text)
        path.write_text(text, encoding="utf-8")


def print_html(content: Path, target: Path) -> Path:
    """Write the build's own print HTML for WeasyPrint alone."""
    from studyguide.build.pipeline import load
    from studyguide.renderers.pdf.layout import Printer

    html = Printer(load(content)).html()
    path = content.parent / f"{content.name}-print.html"
    path.write_text(html, encoding="utf-8")
    return path


def genanki_notes(content: Path) -> Path:
    """Write the same notes (guid, fields, tags, deck) and note type for the minimal genanki script."""
    import genanki

    from studyguide.build.pipeline import load
    from studyguide.renderers.anki.notes import deck

    job = load(content)
    guide, notes_of = job.guide, deck(job)
    notes = [
        {"guid": genanki.guid_for(guide.meta.id, n.id), "fields": n.fields, "tags": n.tags, "deck": n.deck}
        for n in notes_of.notes
    ]
    path = content.parent / f"{content.name}-notes.json"
    path.write_text(json.dumps({"note_type": dict(notes_of.note_type), "notes": notes}), encoding="utf-8")
    return path


def edit_one_answer(content: Path, round_: int) -> str:
    """Edit one answer of a middle section in place, its length kept (a word in capitals); return the question id.

    Each round capitalises another word, so no round finds its edit already laid out in the cache.
    """
    from studyguide.build.pipeline import load_guide

    guide = load_guide(content)
    question = guide.sections[len(guide.sections) // 2].questions[0]
    path = question.source.path
    text = path.read_text(encoding="utf-8")
    start = text.index("\n\n", text.index("Tags:", text.index(f"{{#{question.id}}}")))
    words = [w for w in question.answer_text().split() if w.isalpha() and w.islower() and len(w) > 4]
    word = [w for w in dict.fromkeys(words) if f" {w} " in text[start:]][round_]
    at = text.index(f" {word} ", start)
    path.write_text(text[:at] + f" {word.upper()} " + text[at + len(word) + 2 :], encoding="utf-8")
    return question.id


def letters(number: int) -> str:
    """Spell a number in letters (the lint's words are letters only): 0 -> 'a', 27 -> 'bb'."""
    word = ""
    while True:
        word = "abcdefghijklmnopqrstuvwxyz"[number % 26] + word
        number //= 26
        if not number:
            return word


def colliding_guide(size: int, groups: int = 10) -> object:
    """Return a guide (in memory) of `size` questions in `groups` groups of identical answers, built to collide."""
    from studyguide.model import Guide, Meta, Node, Question, Section, Source

    source = Source(Path("crafted.md"), 1)
    questions = []
    for number in range(size):
        group = number % groups
        text = " ".join(f"word{letters(group * 40 + k)}" for k in range(40))
        answer = Node("root", (Node("paragraph", (Node("text", text=text),)),))
        questions.append(Question(f"q{number}", f"Question {letters(number)}?", ("a",), answer, source))
    section = Section("crafted", "Crafted", tuple(questions), source)
    return Guide(Meta("x", "x", "x", "x", "x", "x", "x", "x"), (section,), Path("."))


def lint_only(size: int) -> None:
    """In this process: lint a guide built to collide (the benchmark times this process)."""
    from studyguide.check.lint import lint
    from studyguide.model import Guide

    guide = colliding_guide(size)
    assert isinstance(guide, Guide)
    twins = [w for w in lint(guide) if "like" in w.message]
    print(f"{len(twins)} twin warnings", file=sys.stderr)
