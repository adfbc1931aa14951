"""Shared fixtures: the real content, and one build of it read by every output test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from studyguide.build.pipeline import load_guide
from studyguide.cli import main
from studyguide.model import Guide
from studyguide.renderers import registry
from studyguide.stages import Options

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def temporary_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test (and every build it starts, in this process or another) caches in a folder of its own run.

    Under pytest-xdist the workers share it (entries are written atomically), so what one worker
    built, another finds.
    """
    base = tmp_path_factory.getbasetemp()
    folder = base.parent / "cache" if os.environ.get("PYTEST_XDIST_WORKER") else base / "cache"
    folder.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STUDYGUIDE_CACHE", str(folder))
        yield folder


@pytest.fixture(scope="session")
def guide() -> Guide:
    """The real content, parsed."""
    return load_guide(CONTENT)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, guide: Guide) -> dict[str, Path]:
    """Build every output of the real content once; map format name to file."""
    out = tmp_path_factory.mktemp("dist")
    assert main(["--format", "all", "--content", str(CONTENT), "--out", str(out)]) == 0
    return {name: out / renderer.filename(guide, Options()) for name, renderer in registry().items()}


def build_page(content: Path, out: Path) -> Path:
    """Build only the page of a content folder; return its file."""
    assert main(["--format", "html", "--content", str(content), "--out", str(out)]) == 0
    return out / f"{load_guide(content).meta.id}.html"


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page of the real content."""
    return build_page(CONTENT, tmp_path_factory.mktemp("page"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for a test module (Debian's, driven by Playwright)."""
    from browser_tools import launch

    yield from launch()
