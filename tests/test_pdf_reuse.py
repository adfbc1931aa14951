"""Parts of the PDF kept in the cache: an edit lays out again only what changed, and the file is a full build's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import CONTENT, FIXTURES
from PIL import Image

from studyguide.build.pipeline import load_guide
from studyguide.cli import main
from studyguide.renderers.pdf import parts as parts_module
from studyguide.store.cache import unseal


def entries(cache: Path) -> dict[str, dict[str, object]]:
    """Return the cache's laid-out parts: key -> the entry's JSON head (pages, anchors, files read)."""
    found = {}
    for path in (cache / "pdf").rglob("*"):
        if path.is_file():
            payload = unseal(path.read_bytes())
            assert payload is not None
            found[path.name] = json.loads(payload.partition(b"\n")[0])
    return found


def pdf(content: Path, out: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """Build the PDF alone with the given cache folder; return its bytes."""
    monkeypatch.setenv("STUDYGUIDE_CACHE", str(cache))
    assert main(["--format", "pdf", "--force", "--content", str(content), "--out", str(out)]) == 0
    return (out / f"{load_guide(content).meta.id}.pdf").read_bytes()


def test_an_edit_lays_out_one_part_again_and_gives_a_full_builds_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, temporary_cache: Path
) -> None:
    content, cache = tmp_path / "content", tmp_path / "cache"
    shutil.copytree(CONTENT, content)
    shutil.copytree(temporary_cache, cache)  # what the session laid out already: the first build may take it
    guide = load_guide(content)
    before = pdf(content, tmp_path / "a", cache, monkeypatch)
    kept = entries(cache)
    assert len(kept) >= 4  # the front matter counted, its final layout, the footers and two parts at least
    # One answer of a middle section edited, its length kept: its part changes, not its page count.
    question = guide.sections[len(guide.sections) // 2].questions[0]
    path = content / question.source.path.name
    text = path.read_text(encoding="utf-8")
    words = [w for w in question.answer_text().split() if w.isalpha() and w.islower() and len(w) > 4]
    start = text.index("\n\n", text.index("Tags:", text.index(f"{{#{question.id}}}")))  # the answer's text
    word = next(w for w in words if f" {w} " in text[start:])
    at = text.index(f" {word} ", start)
    path.write_text(text[:at] + f" {word.upper()} " + text[at + len(word) + 2 :], encoding="utf-8")
    edited = pdf(content, tmp_path / "b", cache, monkeypatch)
    new = {key: head for key, head in entries(cache).items() if key not in kept}
    assert len(new) == 1, new  # only the edited question's part was laid out again
    (head,) = new.values()
    assert question.id in head["anchors"]  # type: ignore[operator]
    assert edited != before
    assert edited == pdf(content, tmp_path / "c", tmp_path / "empty-cache", monkeypatch)  # a full build's bytes


def test_a_part_is_laid_out_again_when_a_file_it_shows_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content, cache = tmp_path / "content", tmp_path / "cache"
    shutil.copytree(FIXTURES / "rich", content)
    monkeypatch.setattr(parts_module, "PART_PAGES", 1)  # each section its own part
    image = next(p for p in (content / "media").iterdir() if p.suffix == ".png")
    first = pdf(content, tmp_path / "a", cache, monkeypatch)
    assert any(str(image.resolve()) in head["read"] for head in entries(cache).values())  # type: ignore[operator]
    with Image.open(image) as old:
        size = old.size
    Image.new("RGB", size, (200, 30, 30)).save(image)  # same name, same size, other pixels
    second = pdf(content, tmp_path / "b", cache, monkeypatch)
    assert second != first
    assert second == pdf(content, tmp_path / "c", tmp_path / "empty-cache", monkeypatch)
