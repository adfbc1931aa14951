"""The house rules, read from the code and from real builds: one validation pass, a data-only cache, no cycles."""

from __future__ import annotations

import ast
import hashlib
import os
import pickle
import shutil
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


def imports(path: Path) -> set[str]:
    """Return the project modules a module imports anywhere in it (function-level imports included)."""
    module = name_of(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                base = ".".join(parent[: len(parent) - node.level + 1] + ([base] if base else []))
            found |= {f"{base}.{alias.name}" for alias in node.names} | {base}
    modules = {name_of(p) for p in modules_of()}
    return {name for name in found if name in modules and name != module}


def modules_of() -> list[Path]:
    """Return every module of the package."""
    return sorted(PACKAGE.rglob("*.py"))


def name_of(path: Path) -> str:
    """Return a module's dotted name."""
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def graph() -> dict[str, set[str]]:
    """Return the package's import graph."""
    return {name_of(path): imports(path) for path in modules_of()}


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


def test_the_model_imports_nothing_and_renderers_import_no_parser_or_other_renderer() -> None:
    edges = graph()
    assert edges["studyguide.model"] == set()
    renderers = {"studyguide.renderers.anki", "studyguide.renderers.page", "studyguide.renderers.pdf"}
    for module, targets in edges.items():
        if not module.startswith("studyguide.renderers.") or module == "studyguide.renderers.base":
            continue
        own = next((r for r in renderers if module == r or module.startswith(r + ".")), None)
        assert own is not None, module
        forbidden = {
            "studyguide.parse.parser",
            "studyguide.parse.convert",
            "studyguide.check.validate",
            "studyguide.build.pipeline",
        }
        assert not targets & forbidden, (module, targets & forbidden)
        others = {t for t in targets for r in renderers - {own} if t == r or t.startswith(r + ".")}
        assert not others, (module, others)


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
