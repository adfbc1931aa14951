"""The console command and `python -m studyguide` run the same build as build.py."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from studyguide.build.pipeline import load_guide
from studyguide.cli import command_line
from studyguide.renderers import registry
from studyguide.stages import Options

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "valid"
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


def bad_command_lines(tmp_path: Path) -> list[tuple[list[str], str]]:
    """Command lines that cannot work, each with what its one line of error must name."""
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("not a folder", encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    content = ["--content", str(FIXTURE)]
    loop = tmp_path / "loop"
    loop.symlink_to(loop)  # a link to itself: resolving it was a RuntimeError's traceback
    return [
        (["--content", str(loop)], f"--content {loop}: a loop of symbolic links"),
        ([*content, "--out", str(loop / "out")], f"--out {loop / 'out'}: a loop of symbolic links"),
        ([*content, "--templates", str(tmp_path / "none")], f"--templates {tmp_path / 'none'}: no such folder"),
        ([*content, "--templates", str(loop)], f"--templates {loop}: a loop of symbolic links"),
        ([*content, "--out", str(a_file)], f"--out {a_file}: not a folder"),
        ([*content, "--out", str(a_file / "below")], f"{a_file} is a file"),
        ([*content, "--out", str(FIXTURE / "dist")], "must not be inside the content folder"),
        (["--content", str(tmp_path / "nowhere")], f"--content {tmp_path / 'nowhere'}: no such folder"),
        (["frobnicate"], "unknown command 'frobnicate'"),
        (["--format", "epub", *content], "unknown format epub"),
        (["--format", "", *content], "unknown format"),
        (["--paper", "a3", *content], "--paper"),
        (["--check", "--release", *content], "--check writes nothing"),
        (["--no-such-option"], "unrecognized arguments: --no-such-option"),
        (["cache", "everything"], "usage: studyguide cache [clear]"),
        ([*content, "--out", "/proc/x"], "--out /proc/x: cannot be created in /proc"),
        ([*content, "--out", "/proc/self/x/y"], "--out /proc/self/x/y: cannot be created in /proc/"),
        (["check", "--json", "--github", *content], "not allowed with argument"),
        (["build", "--json", *content], "--json goes with check"),
    ] + ([] if os.geteuid() == 0 else [([*content, "--out", str(locked / "out")], "cannot be created in")])


def test_every_bad_command_line_is_exit_2_and_one_line_naming_it(tmp_path: Path) -> None:
    for argv, named in bad_command_lines(tmp_path):
        done = run([sys.executable, "build.py", *argv])
        assert done.returncode == 2, (argv, done.stderr)
        assert "Traceback" not in done.stderr and named in done.stderr, (argv, done.stderr)
        assert done.stdout == "", argv
        if named.startswith("--out") or named.startswith("--content"):  # a path: that one line alone
            assert done.stderr.count("\n") == 1, done.stderr


def test_cache_commands_on_a_cache_path_that_is_a_file_say_so_in_one_line(tmp_path: Path) -> None:
    a_file = tmp_path / "cache-file"
    a_file.write_text("not a folder", encoding="utf-8")
    env = dict(os.environ, STUDYGUIDE_CACHE=str(a_file))
    for argv in (["cache", "clear"], ["cache"]):
        done = subprocess.run([sys.executable, str(ROOT / "build.py"), *argv], capture_output=True, text=True, env=env)
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
        assert f"the cache folder {a_file} is not a folder" in done.stderr
    assert a_file.read_text(encoding="utf-8") == "not a folder"


def test_ctrl_c_during_a_build_is_one_line_exit_130_and_every_output_whole(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) while the PDF is laid out in workers."""
    content, out = tmp_path / "content", tmp_path / "out"
    shutil.copytree(ROOT / "tests" / "fixtures" / "rich", content)
    assert run([sys.executable, "build.py", "--content", str(content), "--out", str(out)]).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    section = content / "01-formulas.md"
    section.write_text(section.read_text(encoding="utf-8").replace("Softmax", "The softmax"), encoding="utf-8")
    env = dict(os.environ, STUDYGUIDE_CACHE=str(tmp_path / "cold"))  # a cold cache: the PDF takes seconds
    build = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    assert build.stdout is not None
    first = build.stdout.readline()  # the page or the deck is written; the PDF is still being laid out
    os.killpg(build.pid, signal.SIGINT)
    out_rest, err = build.communicate(timeout=60)
    assert build.returncode == 130, (first, out_rest, err)
    assert err == "interrupted: every output file is whole (written in full, or left as it was)\n"
    after = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    assert after.keys() == before.keys() and not list(out.glob(".*.tmp"))
    written = Path(first.split()[0]).name  # the first output, written in full before the interruption
    assert written != "rich-fixture.pdf" and after[written] != before[written]
    assert after["rich-fixture.pdf"] == before["rich-fixture.pdf"]  # not written: the old file, whole
    again = run([sys.executable, "build.py", "--content", str(content), "--out", str(out)])
    assert again.returncode == 0 and (out / "rich-fixture.pdf").read_bytes() != before["rich-fixture.pdf"]


def test_formats_are_case_insensitive_and_help_names_the_commands(tmp_path: Path) -> None:
    done = run([sys.executable, "build.py", "--format", "HTML", "--content", str(FIXTURE), "--out", str(tmp_path)])
    assert done.returncode == 0 and (tmp_path / "fixture-guide.html").is_file()
    shown = run([sys.executable, "build.py", "--help"]).stdout
    assert shown.startswith("usage: studyguide [build|check|release|watch|serve]")
    assert all(command in shown for command in ("build", "check", "release", "watch", "serve", "new", "cache"))


def test_new_makes_a_guide_that_builds_at_once_and_templates_copy_out(tmp_path: Path) -> None:
    guide = tmp_path / "stats"
    made = run([sys.executable, str(ROOT / "build.py"), "new", str(guide), "--title", "Statistik für Alle"])
    assert made.returncode == 0, made.stderr
    assert 'id = "statistik-fur-alle"' in (guide / "content" / "guide.toml").read_text(encoding="utf-8")
    assert (guide / ".gitignore").read_text(encoding="utf-8") == "dist/\n"
    templates = tmp_path / "my-templates"
    assert run([sys.executable, str(ROOT / "build.py"), "templates", str(templates)]).returncode == 0
    built = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--templates", str(templates)],
        cwd=guide,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    written = sorted(p.name for p in (guide / "dist").iterdir() if not p.name.startswith("."))
    assert written == sorted(r.filename(load_guide(guide / "content"), Options()) for r in registry().values())
    again = run([sys.executable, str(ROOT / "build.py"), "new", str(guide)])
    assert again.returncode == 2 and "is not an empty folder" in again.stderr


def test_a_build_prints_no_library_log_lines(tmp_path: Path) -> None:
    """Libraries log through Python's root logger: ziafont's first logging.debug() (a formula drawn) made it
    write to stderr, and WeasyPrint then printed a 'WARNING:weasyprint:Ignored ...' line for each of
    mermaid's SVG styles, dozens a build, with a cold cache. The author sees only the build's own lines."""
    env = dict(os.environ, STUDYGUIDE_CACHE=str(tmp_path / "cold"))
    fixture = ROOT / "tests" / "fixtures" / "notation"
    done = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--content", str(fixture), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "WARNING:" not in done.stderr and "weasyprint" not in done.stderr, done.stderr[:500]
