"""Every validation error, from a fixture file, with its exact `path:line: message`."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_pdf import png_square

from studyguide.build.pipeline import load, load_guide
from studyguide.cli import main
from studyguide.errors import ContentError
from studyguide.model import INDEXED_KINDS, Guide, Node
from studyguide.store.cache import Cache

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CASES = sorted(p.stem for p in (FIXTURES / "invalid").glob("*.expected"))


def make_content(tmp_path: Path, case: str) -> tuple[Path, Path]:
    """Copy the valid fixture guide and add (or swap in) the broken file of a case."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    broken = next(p for p in (FIXTURES / "invalid").glob(f"{case}.*") if p.suffix != ".expected")
    target = content / ("guide.toml" if broken.suffix == ".toml" else f"50-{case}.md")
    shutil.copyfile(broken, target)
    return content, target


def expected(case: str, target: Path) -> list[str]:
    text = (FIXTURES / "invalid" / f"{case}.expected").read_text(encoding="utf-8")
    return [line.replace("{file}", str(target)) for line in text.splitlines() if line]


def test_valid_fixture_loads() -> None:
    guide = load_guide(FIXTURES / "valid")
    assert [q.id for q in guide.questions] == ["fixture", "why-test"]
    assert guide.question("why-test").see_also == ("fixture",)


@pytest.mark.parametrize("case", CASES)
def test_error_message(tmp_path: Path, case: str) -> None:
    content, target = make_content(tmp_path, case)
    with pytest.raises(ContentError) as info:
        load_guide(content)
    assert [str(p) for p in info.value.problems] == expected(case, target)


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize("case", ["many-problems", "invalid-utf8", "unknown-key"])
def test_cli_reports_every_problem_and_leaves_output_alone(
    tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    content, target = make_content(tmp_path, case)
    out = tmp_path / "out"
    out.mkdir()
    (out / "previous.apkg").write_bytes(b"last good build")
    before = snapshot(out)
    for argv in (
        ["--check", "--content", str(content)],
        ["--format", "all", "--content", str(content), "--out", str(out)],
    ):
        assert main(argv) == 1
        err = capsys.readouterr().err
        for line in expected(case, target):
            assert line in err.splitlines()
        assert "Traceback" not in err
        assert snapshot(out) == before


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--format", "epub"]) == 2
    assert "unknown format epub" in capsys.readouterr().err
    assert main(["--no-such-option"]) == 2
    content = FIXTURES / "valid"
    assert main(["--content", str(content), "--out", str(content / "dist")]) == 2


def test_check_passes_on_valid_content(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check", "--content", str(FIXTURES / "valid")]) == 0
    assert "2 questions" in capsys.readouterr().out


def test_limits_are_enforced_with_a_clear_message(tmp_path: Path) -> None:
    from studyguide.parse.parser import MAX_ANSWER_CHARS, MAX_TITLE_CHARS
    from studyguide.parse.reading import MAX_FILE_BYTES

    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    title = "Why " + "x" * MAX_TITLE_CHARS + "?"
    answer = "word " * (MAX_ANSWER_CHARS // 5 + 10)
    (content / "50-big.md").write_text(
        f"# Big {{#big}}\n\n## {title} {{#long-title}}\n\nTags: a\n\n{answer}\n", encoding="utf-8"
    )
    (content / "60-huge.md").write_bytes(b"# Huge {#huge}\n\n" + b"x" * MAX_FILE_BYTES)
    with pytest.raises(ContentError) as info:
        load_guide(content)
    messages = [str(p) for p in info.value.problems]
    assert (
        f"{content / '50-big.md'}:3: title of {len(title)} characters: more than the limit of {MAX_TITLE_CHARS}"
        in messages
    )
    assert any(m.startswith(f"{content / '50-big.md'}:3: answer of ") and "more than the limit" in m for m in messages)
    assert f"{content / '60-huge.md'}: file is larger than the limit of {MAX_FILE_BYTES} bytes" in messages


def load_cached(content: Path, cache: Path) -> Guide:
    """Load a content folder through a cache folder."""
    return load(content, cache=Cache(cache)).guide


def test_parse_cache_keeps_problems_and_follows_edits(tmp_path: Path) -> None:
    content, target = make_content(tmp_path, "many-problems")
    cache = tmp_path / "cache"
    with pytest.raises(ContentError) as first:
        load_cached(content, cache)
    assert len([p for p in (cache / "parse").rglob("*") if p.is_file()]) == 2
    with pytest.raises(ContentError) as again:
        load_cached(content, cache)
    assert [str(p) for p in again.value.problems] == [str(p) for p in first.value.problems]
    target.write_text("# Fixed {#fixed}\n\n## Now fixed? {#now-fixed}\n\nTags: a\n\nYes.\n", encoding="utf-8")
    assert [q.id for q in load_cached(content, cache).questions] == ["fixture", "why-test", "now-fixed"]


def test_parse_cache_still_checks_images_on_disk(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    (content / "media").mkdir()
    (content / "media" / "dot.png").write_bytes(png_square())
    (content / "50-image.md").write_text(
        "# Pictures {#pictures}\n\n## A picture? {#picture}\n\nTags: a\n\n![a dot](media/dot.png)\n", encoding="utf-8"
    )
    cache = tmp_path / "cache"
    assert load_cached(content, cache).question("picture")
    (content / "media" / "dot.png").unlink()
    with pytest.raises(ContentError) as info:
        load_cached(content, cache)
    assert [str(p) for p in info.value.problems] == [f"{content / '50-image.md'}:7: image 'media/dot.png' not found"]


def descendants(node: Node) -> list[Node]:
    """Return a node and all below it, in document order (recursive: independent of the model's walk)."""
    return [node, *(n for child in node.children for n in descendants(child))]


def test_the_guide_index_holds_every_link_image_and_formula_in_reading_order(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "rich", content)
    (content / "03-links.md").write_text(
        "# Links {#links}\n\n## Linked? {#linked}\n\nTags: a\n\nCore: [web](https://example.org/core).\n\n"
        "See [$x$ and more](#linked-too), then $y$.\n\nSources: [a book](https://example.org/book).\n\n"
        "## Linked too? {#linked-too}\n\nTags: a\n\nBack to [the first](#linked).\n\n| a |\n|---|\n| 1 |\n\n"
        "```mermaid\nflowchart LR\n  A --> B\n```\n",
        encoding="utf-8",
    )
    guide = load_guide(content)
    hrefs = ["https://example.org/core", "#linked-too", "https://example.org/book", "#linked"]
    assert [n.attr("href") for _, n in guide.nodes("link")] == hrefs  # core, answer, sources; in order
    expected = [
        (q.id, n) for q in guide.questions for tree in q.trees() for n in descendants(tree) if n.kind in INDEXED_KINDS
    ]
    assert {n.kind for _, n in expected} == set(INDEXED_KINDS)
    assert [(q.id, n) for q, n in guide.nodes(*INDEXED_KINDS)] == expected
    assert [(q.id, n) for q, n in guide.nodes("image")] == [(i, n) for i, n in expected if n.kind == "image"]
    with pytest.raises(ValueError, match="not indexed: paragraph"):
        guide.nodes("paragraph")


def test_library_code_leaves_the_process_as_it_found_it(tmp_path: Path) -> None:
    """Parsing (anew and from the cache), validating and rendering every output leave the collector and pydyf alone."""
    script = (
        "import gc, sys; from pathlib import Path; import pydyf\n"
        "from studyguide.store.cache import Cache; from studyguide.build.pipeline import load\n"
        "from studyguide.renderers import registry\n"
        "before = (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count(), pydyf.PDF.__dict__['page_references'])\n"
        "for _ in range(2):\n"
        "    job = load(Path(sys.argv[1]), cache=Cache(Path(sys.argv[2])))\n"
        "    for renderer in registry().values(): renderer.render(job)\n"
        "after = (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count(), pydyf.PDF.__dict__['page_references'])\n"
        "print(before == after, before[:3], after[:3])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(FIXTURES / "rich"), str(tmp_path / "cache")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith("True "), done.stdout
