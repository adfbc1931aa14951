"""Odd files in the content and the cache: one line naming the path, never a traceback, never a build that waits."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from test_pdf import png_square

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SECTION = "# A {#a}\n\n## Q? {#q}\n\nTags: testing\n\n![a dot](media/dot.png)\n"


def content_in(tmp_path: Path) -> Path:
    """Copy the valid fixture guide, with one more section showing an image; return the folder."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    (content / "50-image.md").write_text(SECTION, encoding="utf-8")
    (content / "media").mkdir()
    (content / "media" / "dot.png").write_bytes(png_square())
    (content / "tags.txt").write_text("testing\nquality\n", encoding="utf-8")
    return content


def studyguide(*argv: str, cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command line in its own process (a build that waits is stopped after a minute, and fails)."""
    env = {**os.environ, **({"STUDYGUIDE_CACHE": str(cache)} if cache else {})}
    command = [sys.executable, "build.py", *argv]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)


def replace_with(path: Path, make: Callable[[Path], object]) -> None:
    """Put something else where a file was."""
    path.unlink()
    make(path)


def loop_of_two(content: Path) -> None:
    """Make two section links that point at each other."""
    (content / "a.md").symlink_to("b.md")
    (content / "b.md").symlink_to("a.md")


def images_loop(content: Path) -> None:
    """Make the images' folder a link to itself."""
    shutil.rmtree(content / "media")
    (content / "media").symlink_to("media")


def self_link(path: Path) -> None:
    """Make a path a link to itself."""
    path.symlink_to(path.name)


ODD: dict[str, tuple[Callable[[Path], object], str]] = {
    "a folder named like a section": (lambda c: (c / "x.md").mkdir(), "x.md: file is a folder, not a file"),
    "a section that links to itself": (
        lambda c: self_link(c / "loop.md"),
        "loop.md: file is a link that leads back to itself (a loop)",
    ),
    "a loop of two links": (
        loop_of_two,
        "a.md: file is a link that leads back to itself (a loop)",
    ),
    "guide.toml that links to itself": (
        lambda c: replace_with(c / "guide.toml", self_link),
        "guide.toml: file is a link that leads back to itself (a loop)",
    ),
    "a folder named guide.toml": (
        lambda c: replace_with(c / "guide.toml", Path.mkdir),
        "guide.toml: file is a folder, not a file",
    ),
    "an image that links to itself": (
        lambda c: replace_with(c / "media" / "dot.png", self_link),
        "50-image.md:7: image 'media/dot.png' is a link that leads back to itself (a loop)",
    ),
    "a folder of images that links to itself": (
        images_loop,
        "50-image.md:7: image 'media/dot.png' is a link that leads back to itself (a loop)",
    ),
    "a folder named like an image": (
        lambda c: replace_with(c / "media" / "dot.png", Path.mkdir),
        "50-image.md:7: image 'media/dot.png' is a folder, not a file",
    ),
    "a FIFO named like an image": (
        lambda c: replace_with(c / "media" / "dot.png", os.mkfifo),
        "50-image.md:7: image 'media/dot.png' is not a regular file",
    ),
}


@pytest.mark.parametrize("case", ODD)
def test_an_odd_file_in_the_content_is_one_line_naming_it(tmp_path: Path, case: str) -> None:
    content = content_in(tmp_path)
    make, message = ODD[case]
    make(content)
    for command in ("check", "build"):
        done = studyguide(command, "--content", str(content), "--out", str(tmp_path / "out"))
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr and "Error" not in done.stderr, done.stderr
        assert f"{content}/{message}\n" in done.stderr, done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (self_link, "is a link that leads back to itself (a loop)"),
        (Path.mkdir, "is a folder, not a file"),
        (os.mkfifo, "is not a regular file"),
    ],
)
def test_a_tag_list_that_cannot_be_read_is_a_warning_naming_why(
    tmp_path: Path, make: Callable[[Path], object], why: str
) -> None:
    """tags.txt is optional (only `check` reads it): one that cannot be read is named, never taken as absent."""
    content = content_in(tmp_path)
    replace_with(content / "tags.txt", make)
    done = studyguide("check", "--content", str(content))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert f"{content}/tags.txt: warning: file {why}: tags are not checked\n" in done.stderr, done.stderr


def test_special_files_where_cache_entries_belong_are_refused_without_waiting(tmp_path: Path) -> None:
    """A FIFO, a folder or a link to a device in place of every cache entry: the build computes them anew."""
    content, cache = content_in(tmp_path), tmp_path / "cache"
    (content / "50-image.md").write_text(SECTION + "\nA formula: $x^2 + y^2$.\n", encoding="utf-8")
    first = studyguide("build", "--content", str(content), "--out", str(tmp_path / "first"), cache=cache)
    assert first.returncode == 0, first.stderr
    entries = sorted(p for p in cache.rglob("*") if p.is_file() and p.parent.parent != cache and ".tmp" not in p.name)
    assert {p.relative_to(cache).parts[0] for p in entries} >= {"parse", "math", "anki"}
    odd: list[Callable[[Path], object]] = [os.mkfifo, Path.mkdir, lambda p: p.symlink_to("/dev/zero"), self_link]
    for n, entry in enumerate(entries):
        replace_with(entry, odd[n % len(odd)])
    out = tmp_path / "out"
    done = studyguide("build", "--content", str(content), "--out", str(out), cache=cache)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    used = done.stdout.split("cache: ")[-1].split(" (")[0].split("; ")
    assert used and all(" 0 from cache, " in namespace for namespace in used), done.stdout
    for name in ("fixture-guide.apkg", "fixture-guide.html", "fixture-guide.pdf"):
        assert (out / name).read_bytes() == (tmp_path / "first" / name).read_bytes(), name
