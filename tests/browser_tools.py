"""Real tools for the page tests: Debian's Chromium through Playwright, axe-core and the Nu HTML checker."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Route

NODE_MODULES = Path(__file__).resolve().parent / "browser" / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def require(ok: bool, what: str) -> None:
    """Skip when a test tool is missing on a developer machine; fail in CI (CI=true)."""
    if ok:
        return
    message = f"{what} is missing: run scripts/install-system-deps"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Traffic:
    """What the pages of one context did: requests that tried to leave the file, console errors."""

    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> None:
        """Refuse every non-file request of a context and record it, with console errors."""

        def route(route: Route) -> None:
            if route.request.url.startswith("file:"):
                route.continue_()
            else:
                self.external.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        context.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else self.external.append(r.url))
        context.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        context.on("weberror", lambda e: self.errors.append(str(e.error)))


def launch() -> Iterator[Browser]:
    """Yield one headless Debian Chromium; never a downloaded browser."""
    require(CHROMIUM.exists(), "Debian chromium (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Inject axe-core into a page and return its violations (id, impact, first targets)."""
    require(AXE.is_file(), "axe-core (npm)")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [{"id": v["id"], "impact": v["impact"], "targets": [n["target"] for n in v["nodes"][:3]]} for v in result]


def vnu_errors(path: Path) -> list[dict[str, Any]]:
    """Run the Nu HTML checker on a file and return its error messages."""
    require(VNU.is_file(), "vnu-jar (npm)")
    java = shutil.which("java")
    require(java is not None, "java (default-jre-headless)")
    done = subprocess.run(
        [str(java), "-jar", str(VNU), "--format", "json", "--stdout", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(done.stdout)["messages"]
    return [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]


@contextlib.contextmanager
def watched(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Give fresh browser contexts whose traffic is watched; on leaving, close them and assert that no
    request left the file and the console stayed clean."""
    opened: list[tuple[BrowserContext, Traffic]] = []

    def new(**options: Any) -> BrowserContext:
        context = browser.new_context(**options)
        traffic = Traffic()
        traffic.watch(context)
        opened.append((context, traffic))
        return context

    yield new
    for context, _ in opened:
        context.close()
    for _, traffic in opened:
        assert traffic.external == [], "requests left the file"
        assert traffic.errors == [], "console errors"


# What a reader cannot see: every element that sticks out of the screen (or of the box that clips it) where
# nothing scrolls to it, and every formula whose start is not in view. A box that scrolls sideways reaches
# what sticks out at its end, never what sticks out at its start (left when it runs left to right).
# Elements are named "tag#id.class" with the text they start with. MathJax's hidden copy for screen readers
# and the parts inside an SVG are left out; so is what is not rendered. A formula drawn smaller than its size in
# the text (squeezed to fit) counts too.
CUT_OFF = """(root) => {
  root = root || document.body;
  const screen = {left: 0, right: document.documentElement.clientWidth};
  const formula = "svg.math-inline, svg.math-display, img.math-inline, img.math-display, mjx-container > mjx-math";
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\\s+/).join(".") : "")
    + " '" + (el.textContent || el.getAttribute("alt") || "").trim().slice(0, 40) + "'";
  const found = [];
  for (const el of root.querySelectorAll("*")) {
    if (el.closest("mjx-assistive-mml, script, style, template") || el.parentElement.closest("svg")) continue;
    const box = el.getBoundingClientRect();
    if (box.width < 1 || box.height < 1 || !el.checkVisibility()) continue;
    let room = screen, scrolls = null;
    for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.overflowX === "visible") continue;
      const edge = a.getBoundingClientRect();
      const inner = {left: edge.left + a.clientLeft, right: edge.left + a.clientLeft + a.clientWidth};
      if (style.overflowX === "auto" || style.overflowX === "scroll") {
        scrolls = {inner: inner, ltr: style.direction === "ltr"};
        room = scrolls.ltr ? {left: inner.left - a.scrollLeft, right: Infinity}
                           : {left: -Infinity, right: inner.right - a.scrollLeft};
      } else {
        room = inner;
      }
      break;
    }
    if (el.matches("svg.math-inline, svg.math-display")) {
      const drawn = parseFloat(el.getAttribute("width")) * parseFloat(getComputedStyle(el).fontSize);
      if (box.width < drawn - 1) found.push(name(el) + ": shrunk to " + Math.round(box.width) + " px");
    }
    if (box.left < room.left - 1 || box.right > room.right + 1) {
      found.push(name(el) + " at " + Math.round(box.left) + ".." + Math.round(box.right));
    } else if (el.matches(formula)) {
      const seen = scrolls ? scrolls.inner : screen;
      // shown without its start; a formula wholly past the end a box scrolls to (a table's far column) is reached
      if (box.left < seen.left - 1 && box.right > seen.left + 1) found.push(name(el) + ": its start is out of view");
    }
  }
  return found;
}"""


# Each inline formula (`formulas`: a selector) followed at once by punctuation (or a suffix) whose first character
# starts a new line ("$x = 0.05$, for" leaving ", for" to the next); a split formula is measured by its last piece.
ALONE = """(formulas, root) => {
  const out = [];
  for (const formula of (root || document).querySelectorAll(formulas)) {
    if (formula.parentElement.closest(".math-split, .math-scroll") || !formula.checkVisibility()) continue;
    const next = formula.nextSibling;
    if (!next || next.nodeType !== Node.TEXT_NODE || !/^[^\\s(\\[{]/.test(next.data)) continue;
    const range = document.createRange();
    range.setStart(next, 0);
    range.setEnd(next, 1);
    const last = (formula.matches(".math-split") ? formula.lastElementChild : formula).getBoundingClientRect();
    if (range.getBoundingClientRect().top > last.bottom - 2) out.push(next.data.slice(0, 30));
  }
  return out;
}"""
