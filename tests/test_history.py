"""Dating questions from git runs nothing the content names, and no commit date pins a note in the future."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import git_tools
import pytest
from readers import import_apkg

from studyguide.cli import main
from studyguide.release import history

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "git-basics"
T0 = 1_700_000_000


def git(folder: Path, *args: str, when: int = T0) -> None:
    """Run git in a folder as a fixed author, at the test's own time unless told."""
    git_tools.git(folder, *args, when=when)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A guide's project in git: the example guide as content/, committed."""
    shutil.copytree(EXAMPLE, tmp_path / "project" / "content")
    git(tmp_path / "project", "init", "-q")
    git(tmp_path / "project", "add", "content")
    git(tmp_path / "project", "commit", "-q", "-m", "first")
    return tmp_path / "project"


def plant_git_directory(content: Path, witness: Path) -> None:
    """Make the content folder a bare-looking repository whose index lists the sections and whose config names a
    clean filter that runs a command (git status cleans every indexed file whose time changed)."""
    (content / "HEAD").write_text("ref: refs/heads/main\n")
    (content / "objects").mkdir()
    (content / "refs" / "heads").mkdir(parents=True)
    (content / "config").write_text("[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = .\n")
    sections = [p.name for p in content.glob("*.md")]
    subprocess.run(["git", "--git-dir=.", "--work-tree=.", "add", *sections], cwd=content, check=True)
    with (content / "config").open("a") as config:
        config.write(f'[filter "x"]\n\tclean = "sh -c \'touch {witness}; cat\'"\n\tsmudge = cat\n')
    (content / ".gitattributes").write_text("*.md filter=x\n")
    for name in sections:
        os.utime(content / name, (T0, T0))  # as after a clone: the index's times no longer match


@pytest.mark.parametrize("command", ["build", "release"])
def test_a_content_folder_posing_as_a_git_directory_runs_nothing(
    project: Path, tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The attack of a pull request that adds HEAD, config, objects/, refs/ and index beside the guide's files."""
    witness = tmp_path / "ran"
    plant_git_directory(project / "content", witness)
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "contributor", when=T0 + 10)
    args = [command, "--format", "anki", "--content", str(project / "content"), "--out", str(tmp_path / "out")]
    assert main(args) == 0
    assert not witness.exists()
    assert "looks like a git repository" in capsys.readouterr().err


def test_a_filter_named_by_the_contents_attributes_never_runs(project: Path, tmp_path: Path) -> None:
    """Even a filter the builder's own repository defines is not run for the content's `.gitattributes`."""
    witness = tmp_path / "ran"
    subprocess.run(["git", "-C", str(project), "config", "filter.x.clean", f"sh -c 'touch {witness}; cat'"], check=True)
    (project / "content" / ".gitattributes").write_text("*.md filter=x\n")
    section = sorted((project / "content").glob("*.md"))[0]
    os.utime(section, (T0, T0))  # its time changed, its size did not: git status would clean it to compare
    assert main(["--format", "anki", "--content", str(project / "content"), "--out", str(tmp_path / "out")]) == 0
    assert not witness.exists()
    found = history.file_times(project / "content", (section,))
    assert found is not None and found.times[section] == T0  # the same bytes as committed


def test_a_commit_dated_in_the_future_is_taken_as_now_with_a_warning(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A contributor's commit of 2100 would give the note a time no later release can beat."""
    section = sorted((project / "content").glob("*.md"))[0]
    section.write_text(section.read_text().replace("snapshot", "picture", 1))
    future = 4_102_444_800  # 2100-01-01
    git(project, "commit", "-q", "-a", "-m", "from the future", when=future)
    before = int(time.time())
    assert main(["--format", "anki", "--content", str(project / "content"), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "is dated 2100-01-01, in the future" in err and section.name in err
    col = import_apkg(tmp_path / "out" / "git-basics.apkg", tmp_path)
    try:
        newest = max(col.get_note(nid).mod for nid in col.find_notes(""))
    finally:
        col.close()
    assert before <= newest <= int(time.time()) + history.FUTURE_TOLERANCE


def test_a_committed_file_name_that_is_not_utf8_dates_the_rest(project: Path, tmp_path: Path) -> None:
    """git prints file names as bytes; a name that is not UTF-8 is no traceback."""
    (project / "content" / os.fsdecode(b"caf\xe9.txt")).write_bytes(b"x")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "odd name", when=T0 + 20)
    assert main(["--format", "anki", "--content", str(project / "content"), "--out", str(tmp_path / "out")]) == 0
    sections = tuple(sorted((project / "content").glob("*.md")))
    found = history.file_times(project / "content", sections)
    assert found is not None and set(found.times.values()) == {T0}


def test_a_repository_of_the_content_folder_itself_is_not_used(project: Path) -> None:
    """git is never run on a repository found inside the content folder."""
    git(project / "content", "init", "-q")
    found = history.file_times(project / "content", tuple((project / "content").glob("*.md")))
    assert found is not None and not found.times and found.warnings
