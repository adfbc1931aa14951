"""Every Markdown sample of markdown-it-py's and mdit-py-plugins' own test suites, through `check` and `build`.

Each sample becomes the answer of a guide's one question and goes through `studyguide check`: it
must end in a message at a line (exit 1) or pass (exit 0), never a traceback. The samples that pass
are rendered together into all three outputs, one guide per fixture file whose questions were each
parsed alone (in one file, an unclosed `$$` or fence of one sample would swallow the next). The
samples are copied data (tests/fixtures/upstream/README.md).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from studyguide.build.pipeline import load
from studyguide.cli import main
from studyguide.model import Section
from studyguide.renderers import registry
from studyguide.stages import Job

UPSTREAM = Path(__file__).resolve().parent / "fixtures" / "upstream"
FILES = sorted(UPSTREAM.glob("*/*.md"))
GUIDE = """id = "upstream"
title = "Upstream samples"
description = "The parser's own test samples."
author = "markdown-it-py and mdit-py-plugins"
source = "Their test suites."
language = "en"
version = "0.0.1"
date = "2026-01-02"
"""
HEAD = "# Samples {#samples}\n\n"


def samples(path: Path) -> list[str]:
    """Return the Markdown of every sample in a fixture file (title, '.', Markdown, '.', HTML, '.')."""
    found = []
    for match in re.finditer(r"^\.\n(.*?)^\.\n(.*?)^\.$", path.read_text(encoding="utf-8"), re.M | re.S):
        found.append(match.group(1))
    return found


def question(number: int, markdown: str) -> str:
    """Return one sample as a question."""
    return f"## Sample {number} {{#sample-{number}}}\n\nTags: upstream\n\n{markdown}\n"


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_every_sample_gives_a_message_or_an_output(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = samples(path)
    assert found, path
    content = tmp_path / "content"
    content.mkdir()
    (content / "guide.toml").write_text(GUIDE, encoding="utf-8")
    jobs = []
    for number, markdown in enumerate(found, start=1):
        (content / "01-samples.md").write_text(HEAD + question(number, markdown), encoding="utf-8")
        code = main(["check", "--content", str(content)])
        said = capsys.readouterr()
        assert code in (0, 1), (number, markdown, said)
        assert "Traceback" not in said.out + said.err
        if code == 1:
            assert re.search(r":\d+: ", said.err), (number, markdown, said)  # a message at a line
        else:
            jobs.append(load(content))
    if not jobs:  # every sample ends in a message (headings, front matter, relative links)
        return
    job = merged(jobs)
    for renderer in registry().values():
        assert renderer.render(job, renderer.prepare(job)), renderer.name


def merged(jobs: list[Job]) -> Job:
    """Return one job whose guide holds every sample's question (each parsed alone), with all they drew."""
    first = jobs[0]
    questions = tuple(q for job in jobs for q in job.guide.questions)
    section = Section("samples", "Samples", questions, first.guide.sections[0].source)
    guide = dataclasses.replace(first.guide, sections=(section,))
    formulas = {key: svg for job in jobs for key, svg in job.resources.formulas.items()}
    diagrams = {key: svg for job in jobs for key, svg in job.resources.diagrams.items()}
    resources = dataclasses.replace(first.resources, formulas=formulas, diagrams=diagrams)
    return dataclasses.replace(first, guide=guide, resources=resources)
