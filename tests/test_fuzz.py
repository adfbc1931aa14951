"""Fuzzing: generated and mutated Markdown ends in a valid build or a ContentError, never another exception."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from studyguide.build.pipeline import load
from studyguide.errors import ContentError
from studyguide.renderers import registry
from studyguide.stages import Options
from studyguide.store.cache import Cache, default_folder

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REAL_FILES = sorted((ROOT / "content").glob("*.md"))

PIECES = [
    "# Section {#section}",
    "# Other {#other}",
    "## Question {#q}",
    "## Question {#q2}",
    "## Bad {#Bad Id}",
    "## No id",
    "### Sub heading",
    "Tags: a, b",
    "Tags: ",
    "Tags: Not A Tag",
    "See also: [q](#q)",
    "See also: [x](#missing)",
    "Sources:",
    "Sources: A book, §1.",
    "- item",
    "  - nested",
    "- **Lead:** text",
    "1. first",
    "> core answer",
    "$x^2$ and $$",
    "$$",
    "\\frac{1}{2}",
    "```python",
    "```",
    "~~~",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<!-- comment -->",
    "[link](javascript:alert(1))",
    "[data](data:text/html,hi)",
    "![img](/etc/hostname)",
    "![img](missing.png)",
    "[ok](https://example.org)",
    "| a | b |",
    "|---|---|",
    "| 1 | 2 |",
    "\t- tabbed",
    "text\u00a0with nbsp",
    "Ünïcödé тест 学习",
    "\\",
    "{#",
    "}",
    "*",
    "_",
    "`",
    "***",
    "---",
    "",
]
line = st.one_of(st.sampled_from(PIECES), st.text(max_size=40))
document = st.lists(line, max_size=40).map("\n".join)
SKELETON = "# Fuzz {#fuzz}\n\n## Fuzzed question? {#fuzzed}\n\nTags: fuzz\n\nAn answer.\n\n"
answer_body = st.lists(line, max_size=30).map(lambda lines: SKELETON + "\n".join(lines))
line_ending = st.sampled_from(["\n", "\r\n"])


def build_in_memory(files: dict[str, bytes], pdf: bool = False) -> None:
    """Parse a content folder made of these files and render it; only ContentError may escape."""
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        shutil.copytree(FIXTURES / "valid", content)
        for name, data in files.items():
            (content / name).write_bytes(data)
        try:  # formulas drawn once for every example (the session's cache): the parser and validation are fuzzed
            job = load(content, Options(), Cache(default_folder()))
            for renderer in registry().values():
                if pdf or not renderer.costly:
                    renderer.render(job)
            event("valid build")
        except ContentError as exc:
            event("content error")
            assert exc.problems
            for problem in exc.problems:
                assert str(problem).startswith(str(problem.path))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(document, answer_body), line_ending, st.booleans())
def test_generated_markdown(text: str, ending: str, bom: bool) -> None:
    data = ("\ufeff" if bom else "") + text.replace("\n", ending)
    build_in_memory({"50-fuzz.md": data.encode("utf-8")})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(REAL_FILES), st.data())
def test_mutated_real_content(path: Path, data: st.DataObject) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["delete", "duplicate", "insert", "swap"]))
        at = data.draw(st.integers(0, len(lines) - 1))
        if op == "delete" and len(lines) > 1:
            del lines[at]
        elif op == "duplicate":
            lines.insert(at, lines[at])
        elif op == "insert":
            lines.insert(at, data.draw(line))
        elif op == "swap":
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
    build_in_memory({path.name: "\n".join(lines).encode("utf-8")})


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes(data: bytes) -> None:
    build_in_memory({"50-bytes.md": data})


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer_body)
def test_generated_markdown_through_the_pdf(text: str) -> None:
    build_in_memory({"50-fuzz.md": text.encode("utf-8")}, pdf=True)
