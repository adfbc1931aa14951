"""The tool as any author gets it: a wheel installed into a fresh virtual environment, run from another folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
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
    assert {f"studyguide/renderers/pdf/{p.name}" for p in (ROOT / "studyguide/renderers/pdf").glob("*.py")} <= names


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
