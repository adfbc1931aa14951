"""Cards as a learner sees them: Anki's reviewer stylesheet and bundled MathJax, with Anki's settings, in Chromium."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from browser_tools import ALONE, AXE, CUT_OFF, Traffic, require

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ANKI_WEB = Path(__file__).resolve().parent.parent / ".venv" / "anki-web"  # scripts/fetch_anki_web.py

PAGE = """<!doctype html>
<html><head><meta charset="utf-8">
<link rel="stylesheet" href="{web}/css/reviewer.css">
<script src="{web}/js/mathjax.js"></script>
<script>MathJax.loader.paths.mathjax = "{web}/js/vendor/mathjax";</script>
<script src="{web}/js/vendor/mathjax/tex-chtml-full.js"></script>
<script src="{axe}"></script>
<style>:root {{ {theme} }}</style>
</head><body class="{classes}"><div id="qa"></div></body></html>
"""

# The theme colours Anki's own stylesheet defines (aqt's _root-vars.scss: canvas, fg), which reviewer.css
# gives a night-mode body; the unpacked web folder holds reviewer.css but not them.
DAY = "--canvas: #f5f5f5; --fg: #020202;"
NIGHT = "--canvas: #2c2c2c; --fg: #fcfcfc;"

# After MathJax typesets the card: what could act or load (links, styles, ids, classes from content),
# what MathJax drew or refused, and the card's visible text.
# The reviewer page stays loaded from card to card, as in Anki: the last card's math is forgotten first.
INSPECT = (
    """async (html) => {
  const cutOff = """
    + CUT_OFF
    + """;
  const qa = document.getElementById("qa");
  const alone = """
    + ALONE
    + """;
  await MathJax.startup.promise;
  MathJax.typesetClear([qa]);
  qa.innerHTML = html;
  await MathJax.typesetPromise([qa]);
  const inside = (el) => el.closest("mjx-container") !== null;
  return {
    links: [...qa.querySelectorAll("a[href], [href]")].map((a) => a.getAttribute("href")),
    math: qa.querySelectorAll("mjx-container").length,
    errors: [...qa.querySelectorAll("mjx-merror, [data-mjx-error]")].map((e) => e.textContent),
    styled: [...qa.querySelectorAll("mjx-container [style]")].map((e) => e.getAttribute("style")),
    ids: [...qa.querySelectorAll("mjx-container [id]")].map((e) => e.id),
    text: qa.innerText,
    width: qa.scrollWidth,
    room: qa.clientWidth,
    cut: cutOff(qa),
    alone: alone("mjx-container:not([display='true']), .math-split", qa),
    contrast: (await axe.run(qa, {runOnly: ["color-contrast"]})).violations.flatMap(
      (v) => v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary)),
  };
}"""
)


@dataclass
class Seen:
    """One card after Anki's MathJax ran over it."""

    links: list[str]
    math: int
    errors: list[str]
    styled: list[str]
    ids: list[str]
    text: str
    width: int
    room: int
    cut: list[str]  # what sticks out where nothing scrolls to it, and formulas whose start is out of view
    alone: list[str]  # punctuation right after a formula that starts a line of its own
    contrast: list[str]  # axe-core's colour-contrast failures (text below 4.5:1, or 3:1 when large)
    requests: list[str] = field(default_factory=list)


def web_folder() -> Path:
    """Return Anki's unpacked web folder (skip locally, fail in CI, when set-up has not unpacked it)."""
    require((ANKI_WEB / "js" / "vendor" / "mathjax" / "tex-chtml-full.js").is_file(), "Anki's web folder (make test)")
    return ANKI_WEB


def view(browser: Browser, cards: list[str], folder: Path, width: int = 1000, night: bool = False) -> Iterator[Seen]:
    """Show each card's HTML (as `card.answer()` gives it) in Anki's reviewer setting; yield what it became.

    `night`: Anki's night mode, which sets `nightMode` (desktop, AnkiMobile) and `night_mode` (AnkiDroid).
    """
    require(AXE.is_file(), "axe-core (npm)")
    page_file = folder / f"reviewer-{width}-{'night' if night else 'day'}.html"
    classes = "card nightMode night_mode" if night else "card"
    theme = NIGHT if night else DAY
    reviewer = PAGE.format(web=web_folder().as_uri(), axe=AXE.as_uri(), classes=classes, theme=theme)
    page_file.write_text(reviewer, encoding="utf-8")
    context = browser.new_context(viewport={"width": width, "height": 800})
    traffic = Traffic()
    traffic.watch(context)
    try:
        page = context.new_page()
        page.goto(page_file.as_uri())
        for html in cards:
            result: dict[str, Any] = page.evaluate(INSPECT, html)
            page.wait_for_timeout(50)  # let any image or style request the card made start
            seen = Seen(**result, requests=list(traffic.external))
            traffic.external.clear()
            yield seen
    finally:
        context.close()


def type_answer_pattern() -> re.Pattern[str]:
    """Return the pattern Anki's reviewer turns into a type-in box, read (never run) from aqt/reviewer.py."""
    source = web_folder() / "aqt" / "reviewer.py"
    require(source.is_file(), "Anki's reviewer source (make test)")
    tree = ast.parse(source.read_text(encoding="utf-8"))
    reviewer = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Reviewer")
    for node in reviewer.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == ["typeAnsPat"]:
            return re.compile(ast.literal_eval(node.value))
    raise AssertionError(f"no typeAnsPat in {source}")


def describe(seen: Seen) -> str:
    """Return a short account of a card for assertion messages."""
    return json.dumps({k: v for k, v in seen.__dict__.items() if k != "text"})[:2000]
