"""The house rules, read from the code and from real builds: one validation pass, a data-only cache, no cycles."""

from __future__ import annotations

import ast
import hashlib
import os
import pickle
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studyguide.cli import main
from studyguide.renderers.pdf import parts
from studyguide.store.cache import MAX_AGE_DAYS, PRUNE_STAMP, Cache

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "studyguide"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHECKED = ("studyguide", "scripts", "tests", "benchmarks")
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 300, 60


def test_every_kind_of_problem_in_one_file_is_reported_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken link, an unknown formula command, a missing image and an invalid date: four messages, one run."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    toml = content / "guide.toml"
    lines = toml.read_text(encoding="utf-8").split("\n")
    date_line = next(n for n, line in enumerate(lines, start=1) if line.startswith("date"))
    lines[date_line - 1] = 'date = "2026-02-30"'
    toml.write_text("\n".join(lines), encoding="utf-8")
    section = content / "50-broken.md"
    section.write_text(
        "# Broken {#broken}\n\n## Broken? {#broken-q}\n\nTags: a\n\n"  # lines 1-5
        "A first paragraph,\nwith a [link](#nowhere) on its second line.\n\n"  # 7-8
        "A formula $\\foo{x}$ here.\n\n"  # 10
        "![a missing picture](missing.png)\n",  # 12
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["--content", str(content), "--out", str(out)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert f"{toml}:{date_line}: date '2026-02-30' is not a day of the calendar" in err
    assert f"{section}:8: link to unknown question id 'nowhere'" in err
    assert any(line.startswith(f"{section}:10: formula $\\foo{{x}}$ cannot be rendered") for line in err), err
    assert f"{section}:12: image 'missing.png' not found" in err
    assert "4 problems found; nothing was written." in err
    assert not out.exists()


class Payload:
    """A pickle that, when loaded, writes a file: proof that something in the cache was executed."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, ...]]:
        return (Path.write_text, (str(self.marker), "executed"))


def digests(folder: Path) -> dict[str, str]:
    """Return the SHA-256 of every output file in a folder."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if not p.name.startswith(".")}


@pytest.mark.parametrize("planted", ["pickle", "garbage"])
def test_a_planted_or_damaged_cache_is_never_executed_and_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, planted: str
) -> None:
    content, cache, out = tmp_path / "content", tmp_path / "cache", tmp_path / "out"
    shutil.copytree(FIXTURES / "rich", content)
    monkeypatch.setenv("STUDYGUIDE_CACHE", str(cache))
    monkeypatch.setattr(parts, "PART_PAGES", 1)  # each section a part of the PDF, kept in the cache
    assert main(["--content", str(content), "--out", str(out)]) == 0
    first = digests(out)
    entries = [p for p in cache.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert {p.relative_to(cache).parts[0] for p in entries} == {"parse", "math", "anki", "pdf"}
    marker = tmp_path / "marker"
    for entry in entries:
        entry.write_bytes(pickle.dumps(Payload(marker)) if planted == "pickle" else b"\x00garbage\xff" * 7)
    assert main(["--content", str(content), "--out", str(out), "--force"]) == 0
    assert not marker.exists()
    assert digests(out) == first
    assert all(p.read_bytes().startswith(b"studyguide-cache 1 sha256=") for p in entries)


def imports(path: Path, root: Path = ROOT) -> set[str]:
    """Return the project modules a module imports anywhere in it (in functions and under TYPE_CHECKING too)."""
    module = name_of(path, root)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    modules = {name_of(p, root) for p in modules_of(root)}
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                base = ".".join(parent[: len(parent) - node.level + 1] + ([base] if base else []))
            # `from a import b`: the module a.b if there is one, else a itself
            found |= {f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names}
    return {name for name in found if name in modules and name != module}


def modules_of(root: Path = ROOT) -> list[Path]:
    """Return every module of the package."""
    return sorted((root / "studyguide").rglob("*.py"))


def name_of(path: Path, root: Path = ROOT) -> str:
    """Return a module's dotted name."""
    return ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")


def graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Return the package's import graph."""
    return {name_of(path, root): imports(path, root) for path in modules_of(root)}


def test_the_package_has_no_import_cycle() -> None:
    edges = graph()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            raise AssertionError("import cycle: " + " -> ".join([*path[path.index(module) :], module]))
        if module in done:
            return
        for target in sorted(edges.get(module, ())):
            visit(target, [*path, module])
        done.add(module)

    assert len(edges) > 20
    for module in sorted(edges):
        visit(module, [])


MAP = re.compile(r"<!-- map: start -->\n(.*?)<!-- map: end -->", re.S)


def rooms(doc: Path = ROOT / "docs" / "architecture.md") -> dict[str, tuple[list[str], set[str]]]:
    """Read the map of docs/architecture.md: each room's modules and the rooms it may import."""
    found = {}
    table = MAP.search(doc.read_text(encoding="utf-8"))
    assert table, "docs/architecture.md has no map"
    for row in table.group(1).strip().splitlines()[2:]:
        room, modules, allowed = (cell.strip() for cell in row.strip().strip("|").split("|"))
        names = re.findall(r"`([\w.]+)`", modules)
        found[room] = (names, {name.strip() for name in allowed.split(",") if name.strip()})
    return found


def room_of(module: str, map_: dict[str, tuple[list[str], set[str]]]) -> str | None:
    """Return the room a module belongs to: the room naming it or its nearest package (the root package exactly)."""
    best, length = None, -1
    for room, (names, _) in map_.items():
        for name in names:
            inside = module == name or (name != "studyguide" and module.startswith(name + "."))
            if inside and len(name) > length:
                best, length = room, len(name)
    return best


def violations(root: Path = ROOT, doc: Path = ROOT / "docs" / "architecture.md") -> list[str]:
    """Return every import of the package that the map does not allow, and every module the map does not place."""
    map_, found = rooms(doc), []
    for module, targets in sorted(graph(root).items()):
        room = room_of(module, map_)
        if room is None:
            found.append(f"{module}: in no room of the map")
            continue
        for target in sorted(targets):
            other = room_of(target, map_)
            if other != room and other not in map_[room][1]:
                found.append(f"{module} ({room}) imports {target} ({other})")
            elif room == "renderers" and not _own_format(module, target):
                found.append(f"{module} imports {target}: a format imports only renderers.base and its own modules")
    return found


SHARED = {"studyguide.renderers.base", "studyguide.renderers.paper"}  # what every format may take


def _own_format(module: str, target: str) -> bool:
    """Tell whether a renderer module may import a target inside renderers/: what formats share, or its own."""
    if not target.startswith("studyguide.renderers"):
        return True
    parts, aims = module.split("."), target.split(".")
    if len(parts) == 2:  # the registry: finds formats by name, imports only the base statically
        return target == "studyguide.renderers.base"
    return target in SHARED or aims[:3] == parts[:3]


def test_every_import_follows_the_map_in_the_docs() -> None:
    assert violations() == []
    assert rooms()["model"][1] == set() and graph()["studyguide.model"] == set()


@pytest.mark.parametrize(
    ("module", "planted"),
    [
        ("renderers/page.py", "from studyguide.parse import parser"),
        ("renderers/anki/__init__.py", "from studyguide.renderers import page"),
        ("markup/places.py", "from studyguide.renderers.page import css_for_page"),
        ("stages.py", "def f() -> None:\n    from studyguide.check import validate"),
    ],
)
def test_a_planted_import_against_the_map_fails(tmp_path: Path, module: str, planted: str) -> None:
    shutil.copytree(PACKAGE, tmp_path / "studyguide", ignore=shutil.ignore_patterns("__pycache__"))
    path = tmp_path / "studyguide" / module
    path.write_text(path.read_text(encoding="utf-8") + "\n" + planted + "\n", encoding="utf-8")
    found = violations(tmp_path)
    assert len(found) == 1 and name_of(path, tmp_path) in found[0], found


def test_at_most_twelve_modules_at_the_top_and_new_loads_at_most_twelve(tmp_path: Path) -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 12, top
    script = (
        "import sys\nfrom studyguide.cli import main\n"
        f"assert main(['new', {str(tmp_path / 'guide')!r}, '--title', 'A title']) == 0\n"
        "print(sorted(m for m in sys.modules if m == 'studyguide' or m.startswith('studyguide.')))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    loaded = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    assert len(loaded) <= 12, loaded


def python_files() -> list[Path]:
    """Return every Python file that runs: package, scripts, tests, benchmarks."""
    return sorted(p for folder in CHECKED for p in (ROOT / folder).rglob("*.py"))


def test_modules_and_functions_stay_small() -> None:
    too_long = []
    for path in python_files():
        text = path.read_text(encoding="utf-8")
        if path.is_relative_to(PACKAGE) and text.count("\n") > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and path.is_relative_to(PACKAGE):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.name} has {length} lines")
    assert not too_long, "\n".join(too_long)


def test_the_cache_can_be_seen_cleared_and_prunes_what_no_build_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("STUDYGUIDE_CACHE", str(cache))
    assert main(["--check", "--content", str(FIXTURES / "rich")]) == 0
    capsys.readouterr()
    assert main(["cache"]) == 0
    shown = capsys.readouterr().out
    assert f"cache: {cache}" in shown and "math: " in shown and "parse: 2 entries" in shown
    entries = [p for p in cache.rglob("*") if p.is_file() and not p.name.startswith(".")]
    old = time.time() - (MAX_AGE_DAYS + 1) * 86_400
    os.utime(entries[0], (old, old))
    (cache / PRUNE_STAMP).unlink()  # the last prune was over a day ago
    Cache(cache).put("math", "0" * 64, b"<svg></svg>")  # the first write of a build prunes
    assert not entries[0].exists() and all(p.exists() for p in entries[1:])
    assert main(["cache", "clear"]) == 0
    assert not [p for p in cache.rglob("*") if p.is_file()]
    assert main(["cache", "everything"]) == 2


def test_a_renderer_loads_no_parsing_code_and_no_other_format() -> None:
    """Imported alone, a format loads the model, the stage types and the markup, never parse/, check/ or another."""
    from studyguide.renderers import registry

    for renderer in registry().values():
        module = type(renderer).__module__
        listing = "print(sorted(m for m in sys.modules if m.startswith('studyguide')))"
        done = subprocess.run(
            [sys.executable, "-c", f"import sys, {module}\n{listing}"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        )
        loaded = ast.literal_eval(done.stdout.strip().splitlines()[-1])
        assert not {m.split(".")[1] for m in loaded if "." in m} & {"parse", "check", "build", "release", "author"}
        own = module.split(".")[2]
        others = {m.split(".")[2] for m in loaded if m.startswith("studyguide.renderers.")}
        assert others <= {own, "base", "paper"}, (module, others)
