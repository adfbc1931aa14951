"""The console command and `python -m studyguide` run the same build as build.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from studyguide.cli import command_line

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "valid"
SCRIPT = Path(sys.executable).parent / "studyguide"


def test_commands_map_to_options() -> None:
    assert command_line(["check", "--content", "x"]) == ["--check", "--content", "x"]
    assert command_line(["build", "--format", "html"]) == ["--format", "html"]
    assert command_line(["release"]) == ["--release"]
    assert command_line(["watch"]) == ["--watch"]
    assert command_line(["--check"]) == ["--check"]


def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=FIXTURE.parent.parent.parent)


def test_python_m_studyguide(tmp_path: Path) -> None:
    checked = run([sys.executable, "-m", "studyguide", "check", "--content", str(FIXTURE)])
    assert checked.returncode == 0 and "2 questions" in checked.stdout
    built = run(
        [
            sys.executable,
            "-m",
            "studyguide",
            "build",
            "--format",
            "html",
            "--content",
            str(FIXTURE),
            "--out",
            str(tmp_path),
        ]
    )
    assert built.returncode == 0 and (tmp_path / "fixture-guide.html").is_file()
    assert run([sys.executable, "-m", "studyguide", "--format", "epub"]).returncode == 2


@pytest.mark.skipif(
    not SCRIPT.is_file() and not os.environ.get("CI"),
    reason="the package is not installed in this environment (make test installs it)",
)
def test_console_script(tmp_path: Path) -> None:
    checked = run([str(SCRIPT), "check", "--content", str(FIXTURE)])
    assert checked.returncode == 0 and "2 questions" in checked.stdout
