"""An author's command line: --version, the guide found from any folder in it, problems for machines, progress."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import studyguide
from studyguide.author.problems import CODES, as_github, code_of
from studyguide.cli import main
from studyguide.errors import Problem

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def studyguide_in(folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run the command line from a folder, as an author types it."""
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *argv], cwd=folder, capture_output=True, text=True, timeout=300
    )


def test_version_is_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--version"], ["-V"], ["check", "--version"]):
        assert main(argv) == 0
        assert capsys.readouterr().out == f"studyguide {studyguide.__version__}\n"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "studyguide.__version__"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A guide laid out as `new` lays it out, with a sub-folder inside its content."""
    shutil.copytree(FIXTURES / "valid", tmp_path / "guide" / "content")
    (tmp_path / "guide" / "content" / "media" / "deep").mkdir(parents=True)
    return tmp_path / "guide"


def test_every_command_finds_the_guide_from_any_folder_inside_it(project: Path) -> None:
    for folder in (project, project / "content", project / "content" / "media" / "deep"):
        checked = studyguide_in(folder, "check")
        assert checked.returncode == 0 and "2 questions" in checked.stdout, (folder, checked.stderr)
    built = studyguide_in(project / "content" / "media", "build", "--format", "html")
    assert built.returncode == 0, built.stderr
    assert (project / "dist" / "fixture-guide.html").is_file() and not (project / "content" / "dist").exists()
    assert "../../dist/fixture-guide.html" in built.stdout  # named as the author sees it, from where they are


def test_a_folder_holding_guide_toml_is_a_guide_too(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "valid", tmp_path / "examples" / "tiny")
    built = studyguide_in(tmp_path / "examples" / "tiny", "build", "--format", "html")
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "examples" / "dist" / "fixture-guide.html").is_file()


def test_outside_any_guide_the_command_says_where_it_looked(tmp_path: Path) -> None:
    for command in ("check", "build", "serve", "watch", "release"):
        done = studyguide_in(tmp_path, command)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert f"looked for guide.toml and content/guide.toml in {tmp_path.resolve()} and every folder above" in (
            done.stderr
        )


def broken_link(project: Path) -> Path:
    section = project / "content" / "01-basics.md"
    text = section.read_text(encoding="utf-8").replace("A fixture is", "A [fixture](#nowhere) is")
    section.write_text(text, encoding="utf-8")
    return section


def test_check_json_names_the_file_line_column_and_code_of_a_broken_link(project: Path) -> None:
    broken_link(project)
    done = studyguide_in(project / "content", "check", "--json")
    assert done.returncode == 1
    found = json.loads(done.stdout)
    assert found == [
        {
            "path": "01-basics.md",
            "line": 7,
            "column": 14,
            "severity": "error",
            "message": "link to unknown question id 'nowhere'",
            "code": "unknown-link",
        }
    ]
    line = (project / "content" / "01-basics.md").read_text(encoding="utf-8").splitlines()[6]
    assert line[13:].startswith("nowhere")  # column 14, counted from 1


def test_check_github_writes_one_annotation_per_problem(project: Path) -> None:
    section = broken_link(project)
    done = studyguide_in(project, "check", "--github")
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "::error file=content/01-basics.md,line=7,title=studyguide unknown-link,col=14::link to unknown question id "
        "'nowhere'"
    ]
    section.write_text(section.read_text(encoding="utf-8").replace("(#nowhere)", "(#why-test)"), encoding="utf-8")
    (project / "content" / "tags.txt").write_text("quality\n", encoding="utf-8")  # 'testing' is not listed
    warned = studyguide_in(project, "check", "--github")
    assert warned.returncode == 0
    assert "::warning file=content/01-basics.md,line=3,title=studyguide unknown-tag::tag 'testing' is not in" in (
        warned.stdout
    )


def test_a_message_is_escaped_for_a_workflow_command() -> None:
    problem = Problem(Path("a,b:c.md"), 2, "50% done\nnext line")
    assert as_github([problem]) == "::error file=a%2Cb%3Ac.md,line=2,title=studyguide content::50%25 done\\nnext line"


def test_every_fixture_problem_has_a_code_of_its_kind() -> None:
    """Each message the invalid fixtures expect is named by a code of the table (none falls to `content`)."""
    messages = [
        line.split(": ", 1)[1]
        for expected in (FIXTURES / "invalid").glob("*.expected")
        for line in expected.read_text(encoding="utf-8").splitlines()
        if ": " in line
    ]
    assert len(messages) > 20
    unnamed = [m for m in messages if code_of(Problem(Path("x"), 1, m)) == "content"]
    assert unnamed == []
    assert len({code for code, _ in CODES}) == len(CODES)
    assert code_of(Problem(Path("x"), 1, "link to unknown question id 'q'", code="own")) == "own"


def test_the_pre_commit_manifest_is_valid() -> None:
    tool = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    assert tool is not None, "pre-commit is a test dependency (pyproject.toml)"
    done = subprocess.run([tool, "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")], capture_output=True)
    assert done.returncode == 0, done.stdout
    hooks = __import__("yaml").safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hooks[0]["entry"] == "studyguide check" and hooks[0]["pass_filenames"] is False
    assert re.search(hooks[0]["files"], "content/01-basics.md") and re.search(hooks[0]["files"], "content/guide.toml")


def on_a_terminal(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run a command with a terminal as its output (a pseudo-terminal); return its exit code and what it showed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process ended
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return process.wait(timeout=300), shown.decode("utf-8", "replace")


def test_a_long_build_on_a_terminal_shows_the_pdf_parts_and_pages(tmp_path: Path) -> None:
    env = dict(os.environ, STUDYGUIDE_CACHE=str(tmp_path / "cache"))  # a cold cache: the PDF takes seconds
    argv = [sys.executable, str(ROOT / "build.py"), "--content", str(ROOT / "content"), "--format", "pdf"]
    code, shown = on_a_terminal([*argv, "--out", str(tmp_path / "a")], ROOT, env)
    assert code == 0, shown
    told = re.findall(r"pdf: (\d+)/(\d+) parts laid out, (\d+) pages", shown)
    assert told and told[-1][0] == told[-1][1] and int(told[-1][2]) > 20, shown[-2000:]
    assert shown.rstrip().splitlines()[-1].startswith("cache: ")  # the status line was taken away
    piped = subprocess.run([*argv, "--out", str(tmp_path / "b"), "--force"], env=env, capture_output=True, text=True)
    assert piped.returncode == 0 and "building" not in piped.stderr and "\x1b" not in piped.stdout + piped.stderr
    quiet = on_a_terminal([*argv, "--out", str(tmp_path / "c"), "--quiet", "--force"], ROOT, env)
    assert quiet == (0, "")
