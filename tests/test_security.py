"""Untrusted content: cards that run nothing, reads inside the content folder, limits, and messages, not tracebacks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from card_view import describe, view
from readers import cards, import_apkg
from test_pdf import png_square

from studyguide.build.pipeline import load
from studyguide.cli import main
from studyguide.errors import ContentError

if TYPE_CHECKING:
    from playwright.sync_api import Browser

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ACTING = [r"\href{javascript:alert(1)}{x}", r"\style{color:red}{x}", r"\class{x}{y}", r"\cssId{x}{y}"]
ACTING += [r"\require{html}", r"\unicode{x41}", r"\bbox[background:url(x.png)]{x}", r"\url{https://example.org}"]


def guide_with(tmp_path: Path, section: str, name: str = "50-attack.md") -> tuple[Path, Path]:
    """Copy the valid fixture guide and add one section file; return the folder and the file."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    path = content / name
    path.write_text(section, encoding="utf-8")
    return content, path


def problems(content: Path) -> list[str]:
    """Return every problem the validation pass reports."""
    with pytest.raises(ContentError) as info:
        load(content)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("tex", ACTING)
def test_a_formula_that_would_act_in_a_card_is_refused_at_its_line(tmp_path: Path, tex: str) -> None:
    content, path = guide_with(tmp_path, f"# A {{#a}}\n\n## Q? {{#q}}\n\nTags: a\n\nSee\n${tex}$ here.\n")
    command = tex.split("{")[0].split("[")[0]
    assert problems(content) == [
        f"{path}:8: formula ${tex}$ cannot be rendered: '{command}' is not allowed: "
        "it would make the formula act (link, style, load) in Anki"
    ]


ATTACK = r"""# Part::Two {#part}

## Why \(\href{javascript:alert(1)}{x}\) here? {#q-title}

Tags: a

> \\(\style{position:fixed;top:0;left:0;width:100%;height:100%}{\href{javascript:alert(1)}{x}}\\)

A formula that must still show: $a^2$.

Text that MathJax must not read (Markdown turns `\\(` into `\(`):
\\(\style{background-image:url(http://127.0.0.1:9/pixel.png)}{x}\\)
and \\[\class{x}{\cssId{y}{z}}\\] and `\(\href{javascript:alert(3)}{w}\)` in code.

Anki's own markup: [sound:../../etc/passwd] and [anki:tts lang=en_US]hello[/anki:tts] and {{Id}}.

Sources: \\(\href{javascript:alert(2)}{y}\\)
"""


@pytest.fixture(scope="module")
def attack_deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The attack section built into a deck."""
    tmp = tmp_path_factory.mktemp("attack")
    content, _ = guide_with(tmp, ATTACK)
    assert main(["--format", "anki", "--content", str(content), "--out", str(tmp / "out")]) == 0
    return tmp / "out" / "fixture-guide.apkg"


def test_cards_run_nothing_and_fetch_nothing_under_ankis_mathjax(
    attack_deck: Path, browser: Browser, tmp_path: Path
) -> None:
    col = import_apkg(attack_deck)
    try:
        rendered = {c.fields["Id"]: c for c in cards(col)}
        card = col.get_card(col.find_cards("Id:q-title")[0])
        av_tags = [*card.question_av_tags(), *card.answer_av_tags()]
    finally:
        col.close()
    assert av_tags == []
    attack = rendered["q-title"]
    assert "[anki:play" not in attack.answer and "passwd" in attack.answer
    for seen in view(browser, [attack.question, attack.answer], tmp_path):
        assert not [link for link in seen.links if not link.startswith("http")], describe(seen)  # bare URLs link
        assert seen.requests == [], describe(seen)
        assert not [s for s in seen.styled if "url(" in s or "position" in s or "background" in s], describe(seen)
        assert seen.ids == [] and seen.errors == [], describe(seen)
        assert r"\(\href{javascript:alert(1)}{x}\)" in seen.text, seen.text
    assert seen.math == 1  # the answer's one real formula: MathJax ran
    assert r"\(\style{background-image:url(http://127.0.0.1:9/pixel.png)}{x}\)" in seen.text.replace("\n", "")
    assert r"\[\class{x}{\cssId{y}{z}}\]" in seen.text and r"\(\href{javascript:alert(2)}{y}\)" in seen.text
    assert "[sound:../../etc/passwd]" in seen.text and "{{Id}}" in seen.text


def test_a_title_with_two_colons_is_one_deck_level(attack_deck: Path) -> None:
    col = import_apkg(attack_deck)
    try:
        decks = {c.fields["Id"]: c.deck for c in cards(col)}
    finally:
        col.close()
    assert decks["q-title"].split("::") == ["Fixture Guide", "Part:\u200b:Two"]


def test_an_empty_section_title_is_refused(tmp_path: Path) -> None:
    content, path = guide_with(tmp_path, "#  {#empty}\n\n## Q? {#q}\n\nTags: a\n\nA.\n")
    assert problems(content) == [f"{path}:1: section has an empty title"]


def test_links_out_of_the_folder_and_special_files_are_refused_before_reading(tmp_path: Path) -> None:
    content, _ = guide_with(tmp_path, "# A {#a}\n\n## Q? {#q}\n\nTags: a\n\n![dot](dot.png)\n")
    outside = tmp_path / "outside.md"
    outside.write_text("# Secret {#secret}\n\n## Leaked? {#leaked}\n\nTags: a\n\nsecret\n", encoding="utf-8")
    os.symlink(outside, content / "60-link.md")
    os.symlink("/dev/zero", content / "70-zero.md")
    os.mkfifo(content / "80-fifo.md")
    (tmp_path / "dot.png").write_bytes(png_square())
    os.symlink(tmp_path / "dot.png", content / "dot.png")
    inside = content / "90-inside.md"
    os.symlink(content / "50-attack.md", inside)  # a link that stays inside is followed (and repeats ids)
    found = problems(content)
    assert f"{content / '60-link.md'}: file is a link to a file outside the content folder" in found
    assert f"{content / '70-zero.md'}: file is a link to a file outside the content folder" in found
    assert f"{content / '80-fifo.md'}: file is not a regular file" in found
    assert f"{content / '50-attack.md'}:7: image 'dot.png' is outside the content folder" in found
    assert any(p.startswith(f"{inside}:1: duplicate id 'a'") for p in found)
    assert not any("secret" in p or "Leaked" in p for p in found)


def test_the_fingerprint_follows_no_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A link to a device in the content folder is refused, never read (a read of /dev/zero would not end)."""
    content, _ = guide_with(tmp_path, "# A {#a}\n\n## Q? {#q}\n\nTags: a\n\nA.\n")
    os.symlink("/dev/zero", content / "zero.bin")
    os.mkfifo(content / "fifo.bin")
    assert main(["--content", str(content), "--out", str(tmp_path / "out"), "--format", "html"]) == 0
    capsys.readouterr()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (png_square()[:40] + b"<html>not a picture</html>" * 4, "is not a valid PNG file"),
        (b"<html><body>an error page</body></html>", "is not a valid SVG file"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>', "refers to"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(http://x/y)"/></svg>', "refers to"),
        (b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', "DOCTYPE"),
    ],
)
def test_images_are_checked_by_decoding_them(tmp_path: Path, data: bytes, message: str) -> None:
    name = "picture.svg" if data.lstrip().startswith((b"<svg", b"<!DOCTYPE", b"<html")) else "picture.png"
    content, path = guide_with(tmp_path, f"# A {{#a}}\n\n## Q? {{#q}}\n\nTags: a\n\n![p]({name})\n")
    (content / name).write_bytes(data)
    (found,) = problems(content)
    assert found.startswith(f"{path}:7: image '{name}' ") and message in found, found


def test_image_names_with_spaces_and_letters_beyond_ascii_work(tmp_path: Path) -> None:
    content, _ = guide_with(tmp_path, "# A {#a}\n\n## Q? {#q}\n\nTags: a\n\n![p](<media/a dot é.png>)\n")
    (content / "media").mkdir()
    (content / "media" / "a dot é.png").write_bytes(png_square())
    out = tmp_path / "out"
    assert main(["--content", str(content), "--out", str(out)]) == 0
    assert b"data:image/png;base64," in (out / "fixture-guide.html").read_bytes()


def test_hidden_files_are_not_sections(tmp_path: Path) -> None:
    content, _ = guide_with(tmp_path, "# Hidden {#hidden}\n\n## Hidden? {#hidden-q}\n\nTags: a\n\nA.\n", ".x.md")
    (content / "..md").write_text("# Dots {#dots}\n\n## Dots? {#dots-q}\n\nTags: a\n\nA.\n", encoding="utf-8")
    assert [s.id for s in load(content).guide.sections] == ["basics"]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("date", '"2026-02-30"', "date '2026-02-30' is not a day of the calendar"),
        ("id", '"' + "a" * 240 + '"', "guide id of 240 characters: more than the limit of 64"),
        ("author", '"Eve\\u001b[2K\\rok"', "metadata key 'author' holds the control character U+001B"),
    ],
)
def test_bad_metadata_is_a_message_at_its_line(tmp_path: Path, key: str, value: str, message: str) -> None:
    content, _ = guide_with(tmp_path, "# A {#a}\n\n## Q? {#q}\n\nTags: a\n\nA.\n")
    toml = content / "guide.toml"
    lines = [f"{key} = {value}" if line.startswith(f"{key} =") else line for line in toml.read_text().split("\n")]
    toml.write_text("\n".join(lines), encoding="utf-8")
    line = next(n for n, text in enumerate(lines, start=1) if text.startswith(f"{key} ="))
    assert f"{toml}:{line}: {message}" in problems(content)


def test_control_characters_in_messages_are_shown_escaped(tmp_path: Path) -> None:
    content, path = guide_with(tmp_path, "# A {#a}\n\n## Q? {#bad\x1b[2Kid}\n\nTags: a\n\nA.\n")
    done = subprocess.run(
        [sys.executable, "build.py", "--check", "--content", str(content)],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "\x1b" not in done.stderr and "{#bad\\x1b[2Kid}" in done.stderr


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("> " + "core " * 500 + "\n\nA.\n", "core answer of 2499 characters: more than the limit of 2000"),
        ("A [link](https://example.org/" + "x" * 2000 + ").\n", "link address of 2020 characters"),
        ("| a |\n|---|\n" + "| x |\n" * 2001 + "\n", "table of 2002 cells: more than the limit of 2000"),
        ("$" + "+".join(["x"] * 301) + "$\n", "601 characters: more than the limit of 600"),
        ("$" + "{" * 6 + "x" + "}" * 6 + "$\n", "groups nested 6 deep: more than the limit of 5"),
    ],
)
def test_limits_on_what_reaches_an_output(tmp_path: Path, section: str, message: str) -> None:
    content, path = guide_with(tmp_path, f"# A {{#a}}\n\n## Q? {{#q}}\n\nTags: a\n\n{section}")
    (found,) = problems(content)
    assert found.startswith(f"{path}:") and message in found, found


def test_sixteen_builds_into_one_folder_at_once_all_finish_whole(tmp_path: Path) -> None:
    content, _ = guide_with(tmp_path, "# A {#a}\n\n## Q? {#q}\n\nTags: a\n\nA.\n")
    out = tmp_path / "out"
    argv = [sys.executable, "build.py", "--content", str(content), "--out", str(out), "--format", "anki,html"]
    root = Path(__file__).resolve().parent.parent
    builds = [subprocess.Popen([*argv, *(["--force"] if i % 2 else [])], cwd=root) for i in range(16)]
    assert [build.wait(timeout=300) for build in builds] == [0] * 16
    assert sorted(p.name for p in out.iterdir()) == [
        ".studyguide-state.json",
        "fixture-guide.apkg",
        "fixture-guide.html",
    ]
    col = import_apkg(out / "fixture-guide.apkg")
    try:
        assert len(cards(col)) == 3
    finally:
        col.close()


def test_a_file_name_that_is_not_utf8_builds_and_is_named_escaped(tmp_path: Path) -> None:
    content, _ = guide_with(tmp_path, "# A {#a}\n\n## Q? {#q}\n\nTags: a\n\nA.\n")
    odd = os.fsdecode(bytes(content / "60-") + b"\xff.md")
    Path(odd).write_text("# B {#b}\n\n## Broken? {#q}\n\nTags: a\n\nB.\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "build.py", "--content", str(content), "--out", str(tmp_path / "out")],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{content}/60-\\udcff.md:3: duplicate id 'q'" in done.stderr
