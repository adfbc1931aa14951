"""The build workflow: reproducible bytes, skipping unchanged outputs, failure isolation, kill safety."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from studyguide.cli import main
from studyguide.renderers import registry
from studyguide.stages import TEMPLATES, Options

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.parametrize("fixture", ["valid", "notation"])  # notation: emoji, whose font fontTools subsets
def test_same_content_builds_the_same_bytes(tmp_path: Path, fixture: str) -> None:
    content = FIXTURES / fixture
    assert main(["--content", str(content), "--out", str(tmp_path / "a")]) == 0
    time.sleep(1.1)  # a font subset dated by the clock (seconds) differed: Noto Color Emoji in both PDFs
    assert main(["--content", str(content), "--out", str(tmp_path / "b"), "--force"]) == 0
    first, second = digests(tmp_path / "a"), digests(tmp_path / "b")
    outputs = [name for name in first if not name.startswith(".")]
    assert {name.rsplit(".", 1)[1] for name in outputs} == {"apkg", "pdf", "html"}
    assert any(name.endswith("-flashcards.pdf") for name in outputs) and len(outputs) == 4
    assert first == second


def test_unchanged_outputs_are_not_rebuilt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    out = tmp_path / "out"
    assert main(["--content", str(content), "--out", str(out)]) == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    capsys.readouterr()
    assert main(["--content", str(content), "--out", str(out)]) == 0
    summary = [line for line in capsys.readouterr().out.splitlines() if " KiB " in line]
    assert [line.endswith("  unchanged") for line in summary] == [True] * len(registry())
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    page = content / "01-basics.md"
    page.write_text(page.read_text(encoding="utf-8").replace("repeatable", "repeatable and cheap"), encoding="utf-8")
    assert main(["--content", str(content), "--out", str(out)]) == 0
    assert not any(line.endswith("  unchanged") for line in capsys.readouterr().out.splitlines())
    assert "repeatable and cheap" in (out / "fixture-guide.html").read_text(encoding="utf-8")


def test_an_output_changed_by_hand_is_rebuilt(tmp_path: Path) -> None:
    content = FIXTURES / "valid"
    out = tmp_path / "out"
    assert main(["--content", str(content), "--out", str(out)]) == 0
    good = (out / "fixture-guide.html").read_bytes()
    (out / "fixture-guide.html").write_bytes(b"edited")
    assert main(["--content", str(content), "--out", str(out)]) == 0
    assert (out / "fixture-guide.html").read_bytes() == good


def test_a_failing_renderer_names_itself_and_keeps_its_old_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = FIXTURES / "valid"
    out = tmp_path / "out"
    assert main(["--content", str(content), "--out", str(out)]) == 0
    old_pdf = (out / "fixture-guide.pdf").read_bytes()
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "pdf" / "guide.html").write_text("{% broken", encoding="utf-8")
    (content_copy := tmp_path / "content").mkdir()
    for path in content.iterdir():
        shutil.copyfile(path, content_copy / path.name)
    page = content_copy / "01-basics.md"
    page.write_text(page.read_text(encoding="utf-8").replace("repeatable", "repeatable again"), encoding="utf-8")
    capsys.readouterr()
    code = main(["--content", str(content_copy), "--out", str(out), "--templates", str(templates)])
    err = capsys.readouterr().err
    assert code == 3
    assert "renderer 'pdf' failed" in err and "Traceback" not in err
    assert (out / "fixture-guide.pdf").read_bytes() == old_pdf
    assert "repeatable again" in (out / "fixture-guide.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The real content built before and after an edit: (edited content, old outputs, new outputs)."""
    tmp = tmp_path_factory.mktemp("versions")
    content = tmp / "content"
    shutil.copytree(ROOT / "content", content)
    old, new = tmp / "old", tmp / "new"
    assert main(["--content", str(content), "--out", str(old)]) == 0
    first = content / sorted(p.name for p in content.glob("*.md"))[0]
    text = first.read_text(encoding="utf-8")  # a core answer: every output shows it (the flashcards only those)
    first.write_text(text.replace("\n> ", "\n> One more opening sentence. ", 1), encoding="utf-8")
    assert main(["--content", str(content), "--out", str(new)]) == 0
    return content, old, new


def outputs(folder: Path) -> dict[str, str]:
    return {name: digest for name, digest in digests(folder).items() if not name.startswith(".")}


@pytest.mark.parametrize("written", [0, 1, 2, 3])
def test_a_killed_build_leaves_whole_files(tmp_path: Path, two_versions: tuple[Path, Path, Path], written: int) -> None:
    """Kill a build when it has reported `written` outputs: each output is the old file or the new one, never a part.

    The build prints each output's line as soon as the file is in place, so the moments are the
    build's own: at its start, after the first or the second file (the PDF still being laid out in
    worker processes), and after the last, before the state file.
    """
    content, old, new = two_versions
    out = tmp_path / "out"
    shutil.copytree(old, out)
    build = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    assert build.stdout is not None
    lines = [build.stdout.readline() for _ in range(written)]
    os.killpg(build.pid, signal.SIGKILL)
    build.wait(timeout=30)
    build.stdout.close()
    assert all(str(out) in line and " KiB " in line for line in lines), lines  # each an output written
    olds, news = outputs(old), outputs(new)
    found = outputs(out)
    for name, digest in found.items():
        assert digest in (olds[name], news[name]), name
    assert sum(found[name] == news[name] != olds[name] for name in found) >= written
    assert main(["--content", str(content), "--out", str(out)]) == 0
    assert outputs(out) == news
    assert not list(out.glob(".*.tmp"))


def test_the_page_and_deck_are_written_before_the_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An author (in --watch too) sees the page and the deck while the PDF is still being laid out."""
    out = tmp_path / "out"
    assert main(["--format", "pdf,html,anki", "--content", str(FIXTURES / "valid"), "--out", str(out)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if " KiB " in line]
    assert [Path(line.split()[0]).suffix for line in lines] == [".html", ".apkg", ".pdf"]


def test_watch_rebuilds_on_save_and_survives_errors(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    out = tmp_path / "out"
    watcher = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "--watch",
            "--format",
            "html",
            "--content",
            str(content),
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert watcher.stdout is not None
    seen: list[str] = []

    def wait_for(count: int) -> None:
        assert watcher.stdout is not None
        deadline = time.monotonic() + 60
        while sum("] watching" in line for line in seen) < count:
            assert time.monotonic() < deadline, seen
            seen.append(watcher.stdout.readline())

    try:
        wait_for(1)
        page = content / "01-basics.md"
        page.write_text(
            page.read_text(encoding="utf-8").replace("repeatable", "repeatable when watched"), encoding="utf-8"
        )
        wait_for(2)
        assert "repeatable when watched" in (out / "fixture-guide.html").read_text(encoding="utf-8")
        page.write_text(page.read_text(encoding="utf-8").replace("{#fixture}", "{#Broken Id}"), encoding="utf-8")
        wait_for(3)
        assert any(f"{page}:3: malformed id" in line for line in seen)
        assert watcher.poll() is None
    finally:
        watcher.send_signal(signal.SIGINT)
        assert watcher.wait(timeout=30) == 0


def test_watch_stops_when_python_drops_the_interrupt(tmp_path: Path) -> None:
    """Ctrl-C stops --watch even when the KeyboardInterrupt is lost (Python drops one raised inside a __del__)."""
    from studyguide.author import watching
    from studyguide.build.pipeline import Request

    builds: list[int] = []

    def build() -> None:
        assert len(builds) < 3, "--watch kept building after Ctrl-C"
        builds.append(1)
        (tmp_path / f"edit-{len(builds)}").write_text("a change to watch")  # so the watcher hears a save
        handler = signal.getsignal(signal.SIGINT)
        assert callable(handler)
        try:
            handler(signal.SIGINT, None)  # Ctrl-C while the build runs...
        except KeyboardInterrupt:
            pass  # ...its exception lost, as inside a __del__

    before = signal.getsignal(signal.SIGINT)
    request = Request(content=tmp_path, out=tmp_path / "out", options=Options(templates=tmp_path))
    assert watching.loop(request, build) == 0
    assert builds == [1]
    assert signal.getsignal(signal.SIGINT) is before


def test_watch_hears_saves_from_the_system_without_polling(tmp_path: Path) -> None:
    """The watcher is watchfiles (inotify here): a save is heard, and nothing is read while nothing changes."""
    import threading

    from studyguide.author import watching

    stop = threading.Event()
    heard: list[set[Path]] = []

    def save() -> None:
        time.sleep(0.5)
        (tmp_path / "01-new.md").write_text("# New {#new}\n")

    threading.Thread(target=save).start()
    for changed in watching.changes([tmp_path], stop):
        if changed:  # (an empty set: the watcher looked, and heard nothing)
            heard.append(changed)
            stop.set()
    assert heard == [{tmp_path / "01-new.md"}]


def test_library_versions_match_the_installed_distributions() -> None:
    """The build reads versions from dist-info folder names; they must agree with importlib.metadata."""
    from importlib import metadata

    from studyguide.store import versions

    libraries = ("markdown-it-py", "jinja2", "genanki", "weasyprint", "ziamath", "pydyf", "pikepdf", "pillow", "pyphen")
    for library in (*libraries, "fonttools", "studyguide", "anki", "no-such-distribution"):
        try:
            expected: str | None = metadata.version(library)
        except metadata.PackageNotFoundError:
            expected = None
        assert versions.version(library) == expected, library


def test_a_reader_that_goes_away_stops_the_build_quietly(tmp_path: Path) -> None:
    """`studyguide build | head -1`: no traceback; what was written is whole, and the next build writes the rest."""
    out = tmp_path / "out"
    command = [sys.executable, str(ROOT / "build.py"), "--content", str(FIXTURES / "valid"), "--out", str(out)]
    build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert build.stdout is not None and build.stderr is not None
    first = build.stdout.readline()
    build.stdout.close()  # as `head -1` does
    errors = build.stderr.read()
    assert build.wait(timeout=120) in (0, 128 + signal.SIGPIPE)
    assert "Traceback" not in errors and " KiB " in first
    assert main(["--content", str(FIXTURES / "valid"), "--out", str(out)]) == 0


@pytest.mark.parametrize("fixture", ["print", "rich"])
def test_the_pdf_is_laid_out_without_a_warning_from_weasyprint(tmp_path: Path, fixture: str) -> None:
    """Every property of the print stylesheet is one WeasyPrint supports: the author sees no warning of ours."""
    command = [sys.executable, str(ROOT / "build.py"), "--content", str(FIXTURES / fixture), "--out", str(tmp_path)]
    done = subprocess.run([*command, "--format", "pdf"], capture_output=True, text=True, check=True)
    assert "WARNING" not in done.stderr and "Ignored" not in done.stderr, done.stderr


def test_the_costly_output_is_handed_to_its_process_by_name_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pool's thread pickles what it is handed while this thread renders the deck and the page, which fill the
    model's cached properties and the cache's counts: a live job changed meanwhile failed whole builds ("dictionary
    changed size during iteration", exit 3, in test_i18n and test_build), and a pickled job was a private copy of
    the guide in the process. The process inherits the job at its fork: only the output's name is handed over."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("the costly output is laid out beside the others only with two cores or more")
    import concurrent.futures

    handed: list[tuple[object, ...]] = []
    submit = concurrent.futures.ProcessPoolExecutor.submit

    def recorded(self: concurrent.futures.ProcessPoolExecutor, fn: Any, /, *args: Any) -> Any:
        handed.append(args)
        return submit(self, fn, *args)

    monkeypatch.setattr(concurrent.futures.ProcessPoolExecutor, "submit", recorded)
    assert main(["--format", "all", "--content", str(FIXTURES / "clozes"), "--out", str(tmp_path)]) == 0
    assert handed and all(isinstance(arg, str) for args in handed for arg in args), handed
    assert (tmp_path / "cloze-fixture.pdf").read_bytes().startswith(b"%PDF-")
