"""The content lint of `--check`: twins not linked, long answers without a core answer, stray tags."""

from __future__ import annotations

import importlib.util
import shutil
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from studyguide.build.pipeline import load_guide
from studyguide.check.lint import lint
from studyguide.cli import main
from studyguide.model import Guide

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TWIN = (
    "Gradient clipping rescales the gradient vector whenever its norm exceeds a chosen threshold, "
    "which keeps single updates bounded when recurrent networks meet steep cliffs in the loss surface."
)


def guide_with(tmp_path: Path, body: str, tags: str | None = "testing\nquality\n") -> Guide:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    (content / "02-extra.md").write_text(body, encoding="utf-8")
    if tags is not None:
        (content / "tags.txt").write_text(tags, encoding="utf-8")
    return load_guide(content)


def test_real_content_has_a_vocabulary_and_lints(guide: Guide) -> None:
    warnings = lint(guide)
    assert all(w.severity == "warning" and "warning:" in str(w) for w in warnings)


def test_unlinked_twins_warn_and_linked_twins_do_not(tmp_path: Path) -> None:
    body = (
        f"# Extra {{#extra}}\n\n## What is clipping? {{#clip}}\n\nTags: testing\n\n{TWIN}\n\n"
        f"## Why clip gradients? {{#clip-why}}\n\nTags: testing\n\n{TWIN}\n"
    )
    warnings = [str(w) for w in lint(guide_with(tmp_path / "a", body))]
    assert any("like 'clip'" in w and ":9: warning" in w for w in warnings), warnings
    linked = body.replace(
        "## Why clip gradients? {#clip-why}\n\nTags: testing\n",
        "## Why clip gradients? {#clip-why}\n\nTags: testing\n\nSee also: [clipping](#clip)\n",
    )
    assert not [w for w in lint(guide_with(tmp_path / "b", linked)) if "like" in w.message]


def test_long_answer_without_core_warns(tmp_path: Path) -> None:
    long_answer = " ".join(["Word"] * 200)
    body = f"# Extra {{#extra}}\n\n## A long one? {{#long}}\n\nTags: testing\n\n{long_answer}\n"
    assert any("no core answer" in w.message for w in lint(guide_with(tmp_path / "a", body)))
    with_core = body.replace("Tags: testing\n\n", "Tags: testing\n\n> Short version.\n\n")
    assert not any("no core answer" in w.message for w in lint(guide_with(tmp_path / "b", with_core)))


def test_tag_outside_vocabulary_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = "# Extra {#extra}\n\n## Tagged? {#tagged}\n\nTags: testing, made-up\n\nAn answer.\n"
    guide = guide_with(tmp_path, body)
    assert [str(w).split(": ", 1)[1] for w in lint(guide)] == ["warning: tag 'made-up' is not in tags.txt"]
    assert main(["--check", "--content", str(guide.root)]) == 0
    captured = capsys.readouterr()
    assert f"{guide.root / '02-extra.md'}:3: warning: tag 'made-up' is not in tags.txt" in captured.err
    assert "1 warning" in captured.out


def test_twin_lint_compares_each_answer_with_a_bounded_number_of_others(monkeypatch: pytest.MonkeyPatch) -> None:
    """A guide written to collide (groups of identical answers) costs work linear in its size, and every twin warns."""
    from studyguide.check import lint as lint_module

    bench = importlib.util.spec_from_file_location("bench", Path(__file__).parent.parent / "benchmarks" / "guides.py")
    assert bench is not None and bench.loader is not None
    module = importlib.util.module_from_spec(bench)
    bench.loader.exec_module(module)
    colliding_guide = module.colliding_guide  # the benchmark's own colliding guide, at a test's size

    calls = []
    cosine = lint_module._cosine

    def counted(*args: Any) -> float:
        calls.append(1)
        return cosine(*args)

    monkeypatch.setattr(lint_module, "_cosine", counted)
    size, groups = 2000, 10
    guide = colliding_guide(size, groups)
    assert isinstance(guide, Guide)
    twins = [w for w in lint(guide) if "like" in w.message]
    assert len(twins) == size - groups  # every answer but each group's first names its twin, once
    assert len(calls) <= size * lint_module.SIGNATURE_WORDS * lint_module.BUCKET_PEERS
    assert len(calls) < size * 2  # a first peer is a twin: one comparison each (all pairs would be 200,000)


def test_a_character_no_font_prints_warns_at_its_line_with_the_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ethiopic has no font in the PDF's stacks: --check names it, its line and the package; CJK does not warn."""
    body = "# Extra {#extra}\n\n## Greetings? {#greet}\n\nTags: testing\n\nJapanese 日本語.\n\nEthiopic ሰላም.\n"
    guide = guide_with(tmp_path, body)
    glyphs = [w for w in lint(guide) if "would print as a box" in w.message]
    assert [(w.path.name, w.line) for w in glyphs] == [("02-extra.md", 9)]
    assert (
        f"U+1230 'ሰ' ({unicodedata.name('ሰ').lower()}), U+120B 'ላ'" in glyphs[0].message
        and "install the Debian package fonts-noto-core" in glyphs[0].message
    )
    assert main(["--check", "--content", str(guide.root)]) == 0
    out = capsys.readouterr()
    assert "02-extra.md:9: warning: U+1230 'ሰ'" in out.out + out.err


def test_without_the_cjk_fonts_cjk_text_warns_and_names_their_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a machine where only the text face is installed, CJK and emoji name the packages that print them."""
    from studyguide.check import printable

    body = "# Extra {#extra}\n\n## Greetings? {#greet}\n\nTags: testing\n\nJapanese 日本 and a rocket 🚀.\n"
    guide = guide_with(tmp_path, body)
    only_text = {family: files for family, files in printable.font_files().items() if family == "TeX Gyre Pagella"}
    monkeypatch.setattr(printable, "font_files", lambda: only_text)
    messages = [w.message for w in lint(guide) if "would print as a box" in w.message]
    assert any("'日'" in m and "fonts-noto-cjk" in m for m in messages)
    assert any("'🚀'" in m and "fonts-noto-color-emoji" in m for m in messages)
