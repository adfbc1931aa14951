"""Formats declare themselves: a new one is one module, built by --format all and alone; the flow names none."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_architecture import violations

from studyguide.build.pipeline import Prepared, load
from studyguide.renderers import registry
from studyguide.renderers.anki import AnkiRenderer
from studyguide.renderers.anki.notes import Deck
from studyguide.stages import Options

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE = ROOT / "examples" / "git-basics"

# A format written by the recipe of docs/architecture.md: one module, placing the drawn formulas.
FORMULAS_FORMAT = '''"""Every formula of the guide, one line each: its TeX and the size of its drawing."""

from __future__ import annotations

from studyguide.markup.places import svg_hooks
from studyguide.model import Guide
from studyguide.renderers.base import Renderer
from studyguide.stages import Job, Options


class FormulasRenderer(Renderer):
    """Writes `<guide-id>.formulas.txt`."""

    name = "formulas"
    description = "every formula with the size of its drawing"
    needs = frozenset({"formulas"})

    def filename(self, guide: Guide, options: Options) -> str:
        """Return `<guide-id>.formulas.txt`."""
        return f"{guide.meta.id}.formulas.txt"

    def render(self, job: Job, prepared: object = None) -> bytes:
        """Return one line a formula."""
        hooks, _ = svg_hooks(job.resources, shared=False, inline_images=True)
        lines = [f"{tex!r}\\t{len(hooks.math(tex, display))}" for tex, display in job.resources.formulas]
        return "\\n".join(sorted(lines)).encode()
'''

FLOW = ("studyguide/build", "studyguide/cli.py", "studyguide/commands.py", "studyguide/check", "studyguide/release")


def with_format(tmp_path: Path) -> Path:
    """Return a copy of the package with one more format, added as its module alone."""
    shutil.copytree(ROOT / "studyguide", tmp_path / "studyguide", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    (tmp_path / "studyguide" / "renderers" / "formulas.py").write_text(FORMULAS_FORMAT, encoding="utf-8")
    return tmp_path


def studyguide(package: Path, *args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    """Run the command line of a copy of the package."""
    env = {**os.environ, "PYTHONPATH": str(package), "STUDYGUIDE_CACHE": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "studyguide", *args], capture_output=True, text=True, env=env, cwd=package
    )


def test_a_format_added_as_one_module_is_built_by_all_and_alone_on_a_warm_cache(tmp_path: Path) -> None:
    package = with_format(tmp_path / "pkg")
    content = FIXTURES / "rich"
    warm = studyguide(
        package, "--format", "all", "--content", str(content), "--out", str(tmp_path / "all"), cache=tmp_path / "c"
    )
    assert warm.returncode == 0, warm.stderr
    written = sorted(p.name for p in (tmp_path / "all").iterdir() if not p.name.startswith("."))
    assert any(name.endswith(".formulas.txt") for name in written), written
    assert len(written) == len(registry()) + 1
    # alone, on the cache the build above warmed (every formula drawn there): it still has its drawings
    alone = studyguide(
        package, "--format", "formulas", "--content", str(content), "--out", str(tmp_path / "one"), cache=tmp_path / "c"
    )
    assert alone.returncode == 0, alone.stderr
    (listing,) = (tmp_path / "one").glob("*.formulas.txt")
    lines = listing.read_text(encoding="utf-8").splitlines()
    assert lines and all(int(line.rsplit("\t", 1)[1]) > 100 for line in lines)
    shown = " ".join(studyguide(package, "--help", cache=tmp_path / "c").stdout.split())  # as argparse wraps it
    assert "formulas (every formula with the size of its drawing)" in shown
    assert violations(package) == []


def test_the_flow_names_no_format() -> None:
    names = "|".join(re.escape(name) for name in registry())
    quoted = re.compile(rf"""["'](?:{names})["']""")
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in FLOW
        for path in ([ROOT / folder] if folder.endswith(".py") else sorted((ROOT / folder).rglob("*.py")))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if quoted.search(line)
    ]
    assert found == []


def test_the_readme_lists_every_format_the_registry_holds() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- formats: start -->")[1].split("<!-- formats: end -->")[0]
    rows = [row.strip("|").split("|") for row in table.strip().splitlines()[2:]]
    listed = {cells[0].strip().strip("`"): cells[2].strip() for cells in rows}
    assert listed == {name: renderer.description for name, renderer in registry().items()}


def test_the_deck_is_prepared_once_and_a_replaced_job_prepares_its_own(tmp_path: Path) -> None:
    """The notes are a value the release and the writer share; a job for another guide never gets them."""
    job = load(FIXTURES / "valid", Options())
    prepared = Prepared(job)
    anki = registry()["anki"]
    first = prepared.of(anki)
    assert isinstance(first, Deck) and prepared.of(anki) is first
    assert prepared.snapshot(anki) == first.snapshot()
    other = load(EXAMPLE, Options())
    replaced = dataclasses.replace(job, guide=other.guide, resources=other.resources)
    assert not hasattr(replaced, "shared")
    ids = {note.id for note in AnkiRenderer().prepare(replaced).notes}
    assert ids == {q.id for q in other.guide.questions} and ids.isdisjoint(n.id for n in first.notes)


@pytest.mark.parametrize("name", sorted(registry()))
def test_every_format_declares_itself(name: str) -> None:
    renderer = registry()[name]
    assert renderer.name == name and renderer.description and renderer.templates
    assert all((ROOT / "templates" / folder).is_dir() for folder in renderer.templates)
