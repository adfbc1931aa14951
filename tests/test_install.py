"""The tool as any author gets it: a wheel installed into a fresh virtual environment, run from another folder."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import site
import subprocess
import sys
import time
import tomllib
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from readers import cards, import_apkg, normalize, pdf_text

from studyguide.build.pipeline import load_guide

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "git-basics"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the project's wheel (as `pip install .` and pipx do)."""
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(folder), str(ROOT)],
        check=True,
        capture_output=True,
    )
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    (found,) = folder.glob("studyguide-*.whl")
    return found


def test_the_wheel_carries_the_templates_and_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (ROOT / "templates").rglob("*"):
        if template.is_file():
            assert f"studyguide/templates/{template.relative_to(ROOT / 'templates')}" in names
    assert "studyguide/markup/math/data/mathjax-names.txt" in names
    modules = {
        p.relative_to(ROOT).as_posix() for p in (ROOT / "studyguide").rglob("*.py") if "__pycache__" not in p.parts
    }
    assert modules <= names, modules - names  # every room of the package, listed in pyproject.toml


def test_an_installed_wheel_builds_a_guide_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)]
    subprocess.run(pip, check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(EXAMPLE, elsewhere / "guide")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "STUDYGUIDE_CACHE": str(tmp_path / "cache")}
    done = subprocess.run(
        [str(venv / "bin" / "studyguide"), "build", "--content", "guide", "--out", "dist"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Warning" not in done.stderr
    guide = load_guide(EXAMPLE)
    titles = [q.title for q in guide.questions]
    dist = elsewhere / "dist"
    page = (dist / "git-basics.html").read_text(encoding="utf-8")
    assert all(title.replace("'", "&#x27;") in page or title in page for title in titles)
    printed = normalize(" ".join(pdf_text(dist / "git-basics.pdf")))
    assert all(normalize(title) in printed for title in titles)
    col = import_apkg(dist / "git-basics.apkg")
    try:
        assert sorted({c.fields["Id"] for c in cards(col)}) == sorted(q.id for q in guide.questions)
    finally:
        col.close()


@pytest.fixture
def installed(wheel: Path, tmp_path: Path) -> Path:
    """A fresh venv holding the wheel, its libraries taken from this environment (no network: --no-index)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    own = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The libraries the wheel needs are this environment's, after the venv's own packages (a .pth line).
    Path(own, "libraries.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    pip = [str(python), "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", str(wheel)]
    subprocess.run(pip, check=True, capture_output=True)
    where = subprocess.run(
        [str(python), "-c", "import studyguide; print(studyguide.__file__)"], capture_output=True, cwd=tmp_path
    )
    assert Path(where.stdout.decode().strip()).is_relative_to(venv), "the wheel's package, not this checkout's"
    return venv / "bin" / "studyguide"


def author(tool: Path, home: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Return a runner of the installed command from a folder, as an author's shell runs it."""
    env = {"PATH": f"{tool.parent}:/usr/bin:/bin", "HOME": str(home), "STUDYGUIDE_CACHE": str(home / "cache")}

    def run(folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["studyguide", *argv], cwd=folder, env=env, capture_output=True, text=True, timeout=300)

    return run


def test_an_author_s_first_hour_with_the_installed_command(installed: Path, tmp_path: Path) -> None:
    run = author(installed, tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    version = run(home, "--version")
    assert version.returncode == 0 and version.stdout == f"studyguide {load_version()}\n"
    made = run(home, "new", "chem-ar", "--title", "أسئلة الكيمياء العامة", "--language", "ar")
    assert made.returncode == 0, made.stderr
    meta = tomllib.loads((home / "chem-ar" / "content" / "guide.toml").read_text(encoding="utf-8"))
    assert (meta["language"], meta["id"], meta["title"]) == ("ar", "chem-ar", "أسئلة الكيمياء العامة")
    content = home / "chem-ar" / "content"
    checked = run(content, "check")
    assert checked.returncode == 0 and "2 questions" in checked.stdout, checked.stderr
    section = content / "01-first-steps.md"
    text = section.read_text(encoding="utf-8")
    section.write_text(text.replace("Write the answer", "Write the [answer](#no-such-question)"), encoding="utf-8")
    line = next(n for n, row in enumerate(section.read_text().splitlines(), 1) if "#no-such-question" in row)
    found = json.loads(run(content, "check", "--json").stdout)
    assert [(p["path"], p["line"], p["code"]) for p in found] == [("01-first-steps.md", line, "unknown-link")]
    section.write_text(text, encoding="utf-8")
    serve_edit_and_stop(installed, home / "chem-ar", section, tmp_path)


def load_version() -> str:
    from studyguide import __version__

    return __version__


def serve_edit_and_stop(tool: Path, project: Path, section: Path, home: Path) -> None:
    """`serve` on a free port: the page, an edited title within seconds, a content error by file name, Ctrl-C."""
    env = {"PATH": f"{tool.parent}:/usr/bin:/bin", "HOME": str(home), "STUDYGUIDE_CACHE": str(home / "cache")}
    server = subprocess.Popen(
        ["studyguide", "serve", "--port", "0", "--format", "html"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        port = re.search(r"127\.0\.0\.1:(\d+)/", server.stdout.readline())
        assert port is not None

        def page_once(holds: Callable[[str], bool], seconds: float) -> float:
            started = time.monotonic()
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port.group(1)}/", timeout=10) as reply:
                        text = reply.read().decode("utf-8")
                    if holds(text):
                        return time.monotonic() - started
                except OSError:
                    pass
                assert time.monotonic() - started < seconds, "the page did not change in time"
                time.sleep(0.2)

        page_once(lambda text: "What does a question look like?" in text, 120)
        section.write_text(
            section.read_text(encoding="utf-8").replace("What does a question", "What does an edited question")
        )
        assert page_once(lambda text: "What does an edited question look like?" in text, 10) < 10
        section.write_text(section.read_text(encoding="utf-8").replace("{#first-steps}", "{#First Steps}"))
        page_once(lambda text: "01-first-steps.md:1: malformed id" in text, 10)
    finally:
        os.killpg(server.pid, signal.SIGINT)  # Ctrl-C
        out, err = server.communicate(timeout=30)
    assert server.returncode == 0 and "Traceback" not in err, err
