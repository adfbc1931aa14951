"""Study mode of the page in real headless Chromium, opened from a file:// path: the session, keys, export and
import, blocked storage, accessibility and the phone layout. Scheduling is checked against ts-fsrs and Anki
in test_study_schedule.py, kept progress in test_study_progress.py.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browser_tools import NODE_MODULES, axe_violations, require, watched
from conftest import ROOT, build_page
from playwright.sync_api import expect
from study_tools import counts, current, key, open_page, reveal, stored

from studyguide.build.pipeline import load_guide
from studyguide.model import Guide

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

LIBRARY = NODE_MODULES / "ts-fsrs"
VENDOR = ROOT / "templates" / "page" / "vendor"
# npm checks node_modules/ts-fsrs against this integrity of the lockfile (npm view ts-fsrs@5.4.2 dist.integrity).
INTEGRITY = "sha512-z4qop4pzTcyTzuJ566d9EaX/4bZZzhYfeaPImfVr+xcYT65c5oBgFDijUhCE/D+C78eaolHIhKRZ04/RwF+v2g=="
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEARN_AHEAD = timedelta(minutes=20)
BLOCK_STORAGE = """
Object.defineProperty(window, "localStorage", {
  get() { throw new DOMException("The operation is insecure.", "SecurityError"); }
});
"""


@pytest.fixture
def contexts(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Fresh browser profiles in UTC; afterwards assert no request left the file and no console error."""
    with watched(browser) as new:
        yield lambda **options: new(**{"timezone_id": "UTC", **options})


def study(page: Page, grades: dict[str, int], start: datetime, count: int) -> dict[str, list[tuple[str, int]]]:
    """Answer `count` questions a minute apart: first sight by `grades`, then Good."""
    log: dict[str, list[tuple[str, int]]] = {}
    at = start
    for answered in range(count):
        qid = current(page)
        assert qid is not None, f"only {answered} of {count} questions to answer"
        grade = grades.get(qid, 3) if qid not in log else 3
        page.clock.set_fixed_time(at)
        page.keyboard.press("Space")
        page.keyboard.press("Space")
        page.keyboard.press(str(grade))
        log.setdefault(qid, []).append((at.isoformat(), grade))
        at += timedelta(minutes=1)
    return log


def due_at(card: dict[str, Any]) -> datetime:
    """When a card counts as due: a day-based card from 4 a.m. (UTC here) of its day, a learning step at its time."""
    if card["day"] is not None:
        return datetime(1970, 1, 1, 4, tzinfo=UTC) + timedelta(days=card["day"])
    return datetime.fromisoformat(card["due"])


def test_the_committed_library_is_the_npm_package() -> None:
    require((LIBRARY / "package.json").is_file(), "ts-fsrs (npm)")
    assert (VENDOR / "ts-fsrs.umd.js").read_bytes() == (LIBRARY / "dist" / "index.umd.js").read_bytes()
    assert (VENDOR / "ts-fsrs.LICENSE").read_bytes() == (LIBRARY / "LICENSE").read_bytes()
    package = json.loads((ROOT / "tests" / "browser" / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "tests" / "browser" / "package-lock.json").read_text(encoding="utf-8"))
    installed = json.loads((LIBRARY / "package.json").read_text(encoding="utf-8"))
    assert package["devDependencies"]["ts-fsrs"] == installed["version"] == "5.4.2"
    assert lock["packages"]["node_modules/ts-fsrs"]["integrity"] == INTEGRITY
    assert installed["license"] == "MIT"


def test_start_reveal_grade_five_reload(contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide) -> None:
    page = open_page(contexts(), page_file, T0)
    page.focus("#study-start")
    page.keyboard.press("Enter")
    assert page.locator("#study").is_visible() and not page.locator("#questions").is_visible()
    assert counts(page) == (20, 0, 0)
    first = guide.questions[0]
    assert current(page) == first.id
    assert page.evaluate("document.activeElement.id") == "study-title"
    assert page.inner_text("#study-title").split() == first.title.split()
    assert page.inner_text("#study-section").strip() == guide.sections[0].title
    assert not page.locator("#study-body").is_visible() and page.locator("#study-grades").is_hidden()
    page.keyboard.press("Space")
    assert first.core is not None
    assert page.locator("#study-body .core").is_visible() and not page.locator("#study-body .answer").is_visible()
    page.keyboard.press("Enter")
    assert page.locator("#study-body .answer").is_visible()
    assert page.evaluate("document.activeElement.dataset.grade") == "3"
    page.keyboard.press("Space")  # on "Good": Anki's Space after the answer
    shown = [first.id]
    for grade in "4213":
        shown.append(current(page) or "")
        assert page.evaluate("document.activeElement.id") == "study-title"
        page.keyboard.press("Space")
        page.keyboard.press(grade)
    assert shown == [q.id for q in guide.questions[:5]]
    assert [c["reps"] for c in stored(page, guide.meta.id)["cards"].values()] == [1] * 5
    assert [(e["q"], e["g"]) for e in stored(page, guide.meta.id)["log"]] == list(
        zip(shown, (3, 4, 2, 1, 3), strict=True)
    )
    assert counts(page)[2] == 5
    page.reload()
    assert not page.locator("#study").is_visible()
    cards = stored(page, guide.meta.id)["cards"]
    assert sorted(cards) == sorted(shown)
    page.click("#study-start")
    soon = sum(due_at(c) <= T0 + LEARN_AHEAD for c in cards.values())
    assert counts(page) == (15, soon, 5)
    line = page.get_attribute("#study", "data-status") or ""
    assert page.inner_text("#study-status") == line.format(new=15, due=soon, done=5)


def test_the_answer_is_announced_once_and_the_status_is_not(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide
) -> None:
    page = open_page(contexts(), page_file, T0)
    page.click("#study-start")
    said = page.locator("#study-said")
    assert said.get_attribute("aria-live") == "polite" and said.inner_text() == ""
    status = page.locator("#study-status")
    assert status.get_attribute("aria-live") is None and status.get_attribute("role") is None
    page.keyboard.press("Space")
    first = guide.questions[0]
    assert first.core is not None
    assert " ".join(said.text_content().split()) == " ".join(page.locator("#study-body .core").text_content().split())  # type: ignore[union-attr]
    page.keyboard.press("Space")
    answer = " ".join(page.locator("#study-body .answer").text_content().split())  # type: ignore[union-attr]
    assert answer in " ".join(said.text_content().split()) and "In short" not in (said.text_content() or "")  # type: ignore[union-attr]
    page.keyboard.press("3")
    assert said.text_content() == ""


def test_rebuilt_page_keeps_each_question_schedule_and_the_removed_ones_data(
    contexts: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "examples" / "git-basics", content)
    out = tmp_path / "out"
    path = build_page(content, out)
    guide = load_guide(content)
    page = open_page(contexts(), path, T0)
    page.click("#study-start")
    items = [item for q in guide.questions for item in q.cards]  # a question's cards: clozes, a reversed card
    study(page, {}, T0, count=len(items))
    before = stored(page, guide.meta.id)["cards"]
    assert sorted(before) == sorted(items)
    edited, removed = guide.questions[2], guide.questions[-1]
    collaboration = content / "02-collaboration.md"
    text = collaboration.read_text(encoding="utf-8")
    collaboration.write_text(text[: text.index(f"## {removed.title}")], encoding="utf-8")
    concepts = content / "01-concepts.md"
    marker = f"{{#{edited.id}}}\n"
    concepts.write_text(concepts.read_text(encoding="utf-8").replace(marker, marker + "\nEdited.\n", 1), "utf-8")
    assert build_page(content, out) == path
    assert "Edited." in load_guide(content).question(edited.id).answer_text()
    page.reload()
    assert "Edited." in (page.locator(f"[id='{edited.id}'] .answer").text_content() or "")
    page.click("#study-start")
    assert counts(page)[1] == len(items) - len(removed.cards)  # the removed question's items are neither due nor new
    page.locator(".study-settings summary").click()
    page.fill("#study-limit", "7")
    page.locator("#study-limit").press("Tab")
    after = stored(page, guide.meta.id)
    assert after["settings"]["newPerDay"] == 7
    assert after["cards"] == before  # the removed question's card stays, for the page that still has it


def test_export_then_import_in_a_fresh_profile(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide, tmp_path: Path
) -> None:
    page = open_page(contexts(accept_downloads=True), page_file, T0)
    page.click("#study-start")
    study(page, {}, T0, count=4)
    page.locator(".study-settings summary").click()
    with page.expect_download() as download:
        page.click("#study-export")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"{guide.meta.id}-progress.json"
    mine = stored(page, guide.meta.id)
    exported = json.loads(saved.read_text(encoding="utf-8"))
    assert (exported["cards"], exported["log"], exported["settings"]) == (mine["cards"], mine["log"], mine["settings"])
    elsewhere = open_page(contexts(), page_file, T0 + timedelta(minutes=4))
    elsewhere.click("#study-start")
    assert counts(elsewhere)[0] == 20
    elsewhere.locator(".study-settings summary").click()
    other = tmp_path / "other.json"
    other.write_text(json.dumps({**mine, "guide": "another-guide"}), encoding="utf-8")
    elsewhere.set_input_files("#study-import", other)
    notice = expect(elsewhere.locator("#study-notice"))  # waits: the file is read asynchronously
    notice.to_have_text(elsewhere.get_attribute("#study", "data-import-failed") or "")
    assert elsewhere.evaluate("k => localStorage.getItem(k)", key(guide.meta.id)) is None
    elsewhere.set_input_files("#study-import", saved)
    imported = elsewhere.get_attribute("#study", "data-imported") or ""
    notice.to_have_text(imported.format(cards=4, reviews=4))  # the page's CSP refuses wait_for_function's string eval
    assert stored(elsewhere, guide.meta.id)["cards"] == mine["cards"]
    assert counts(elsewhere) == (16, 4, 4)  # today's new questions and reviews came with the log


def test_blocked_storage_gets_a_notice_and_still_studies(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide
) -> None:
    context = contexts()
    context.add_init_script(BLOCK_STORAGE)
    page = open_page(context, page_file, T0)
    page.click("#study-start")
    assert page.inner_text("#study-notice") == page.get_attribute("#study", "data-blocked")
    for _ in range(2):
        page.keyboard.press("Space")
        page.keyboard.press("Space")
        page.keyboard.press("4")
    assert counts(page) == (18, 0, 2)
    assert current(page) == guide.questions[2].id
    page.keyboard.press("u")
    assert current(page) == guide.questions[1].id and counts(page) == (19, 0, 1)


def test_escape_goes_back_where_the_learner_was(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide
) -> None:
    page = open_page(contexts(viewport={"width": 1000, "height": 700}), page_file, T0)
    tag = sorted({t for q in guide.questions for t in q.tags})[0]
    page.select_option("#filter-tag", tag)
    page.evaluate("window.scrollTo(0, 400)")
    y = page.evaluate("window.scrollY")
    page.click("#study-start")
    assert current(page) == next(q.id for q in guide.questions if tag in q.tags)
    page.keyboard.press("Escape")
    assert not page.locator("#study").is_visible() and page.locator("#questions").is_visible()
    assert page.evaluate("window.scrollY") == y
    assert page.evaluate("document.activeElement.id") == "study-start"
    assert page.input_value("#filter-tag") == tag
    page.click("#study-start")
    page.click("#study-leave")
    assert page.locator("#questions").is_visible()
    assert all(page.locator(f"[id='{q.id}'] .body").count() == 1 for q in guide.questions)


def test_new_limit_and_day_start_are_remembered_and_without_javascript_no_button(
    contexts: Callable[..., BrowserContext], page_file: Path
) -> None:
    page = open_page(contexts(java_script_enabled=False), page_file, T0)
    assert not page.locator("#study-start").is_visible() and not page.locator("#study").is_visible()
    page = open_page(contexts(), page_file, T0)
    page.click("#study-start")
    page.locator(".study-settings summary").click()
    page.fill("#study-limit", "0")
    page.locator("#study-limit").press("Tab")
    page.select_option("#study-rollover", "6")
    page.reload()
    page.click("#study-start")
    assert page.input_value("#study-limit") == "0" and page.input_value("#study-rollover") == "6"
    assert counts(page) == (0, 0, 0)
    limit = page.get_attribute("#study", "data-limit") or ""
    assert page.inner_text("#study-done") == limit.replace("{limit}", "0")


def open_everything(page: Page) -> None:
    """Study a little, then show the answer and open the statistics, the plan and the settings."""
    page.click("#study-start")
    study(page, {}, T0, count=3)
    reveal(page)
    for panel in ("#study-stats-panel", "#study-plan-panel", ".study-settings"):
        page.locator(f"{panel} > summary").click()
    page.fill("#plan-date", (T0 + timedelta(days=9)).date().isoformat())
    page.locator("#plan-date").dispatch_event("change")
    expect(page.locator("#plan-output table")).to_be_visible()


@pytest.mark.parametrize(("scheme", "width"), [("light", 1000), ("dark", 1000), ("light", 360), ("dark", 360)])
def test_axe_finds_no_violation_in_study_mode_and_statistics(
    contexts: Callable[..., BrowserContext], page_file: Path, scheme: str, width: int
) -> None:
    page = open_page(
        contexts(color_scheme=scheme, bypass_csp=True, viewport={"width": width, "height": 740}), page_file, T0
    )
    open_everything(page)
    assert page.locator("#study-stats svg.chart").count() == 2
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations)


# Every visible control of study mode with its height; a checkbox is measured by its label, which takes its clicks.
CONTROLS = """() => {
  const name = (e) => [e.id || e.textContent.trim().slice(0, 20), e.getBoundingClientRect().height];
  const controls = [...document.querySelectorAll('#study button, #study input, #study select, #study summary')]
    .filter(e => e.checkVisibility() && !(e.type === 'checkbox' && e.closest('label')));
  const labels = [...document.querySelectorAll('#study label:has(input[type=checkbox])')]
    .filter(e => e.checkVisibility());
  return controls.concat(labels).map(name);
}"""


def test_study_mode_fits_a_360_px_phone(contexts: Callable[..., BrowserContext], page_file: Path) -> None:
    page = open_page(contexts(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True), page_file, T0)
    open_everything(page)
    page.click("#study-reset-all")  # its confirmation's buttons too
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    controls = page.evaluate(CONTROLS)
    assert len(controls) > 15 and [c for c in controls if c[1] < 44] == []
    page.locator(".study-panels").scroll_into_view_if_needed()
    gap = page.evaluate(
        "document.querySelector('.study-panels').getBoundingClientRect().top"
        " - document.querySelector('.study-controls').getBoundingClientRect().bottom"
    )
    assert gap >= 24  # the settings keep well away from the grade row
    boxes = page.eval_on_selector_all("#study-grades button", "bs => bs.map(b => b.getBoundingClientRect().width)")
    assert len(boxes) == 4 and min(boxes) >= 44


PHONE_BOXES = """() => {
  const box = (e) => e.getBoundingClientRect();
  const math = [...document.querySelectorAll('#study-body div.math')].map((d) => {
    const svg = d.querySelector('svg');
    return [box(svg).width, parseFloat(svg.getAttribute('width')) * parseFloat(getComputedStyle(svg).fontSize),
      d.scrollWidth > d.clientWidth, d.tabIndex];
  });
  const controls = box(document.querySelector('.study-controls'));
  return { math, card: box(document.getElementById('study-card')).top,
    answer: box(document.querySelector('#study-body .answer')).top, controls: [controls.top, controls.bottom] };
}"""


def test_on_a_phone_formulas_scroll_the_question_stays_and_the_grades_are_pinned(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide
) -> None:
    page = open_page(contexts(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True), page_file, T0)
    page.fill("#filter-text", "LeakyReLU")
    page.click("#study-start")
    reveal(page)
    found = page.evaluate(PHONE_BOXES)
    wide = [m for m in found["math"] if m[2]]
    assert wide and all(abs(m[0] - m[1]) < 1 and m[3] == 0 for m in wide)  # full size, scrolled inside, focusable
    assert all(abs(m[0] - m[1]) < 1 for m in found["math"])  # no formula shrinks
    assert 0 <= found["card"] < 40 and found["answer"] < found["controls"][0]  # question and answer's start in view
    assert abs(found["controls"][1] - 740) < 1  # the grade row sits at the bottom of the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_code_keeps_its_padding_and_scrolls(contexts: Callable[..., BrowserContext], tmp_path: Path) -> None:
    path = build_page(ROOT / "examples" / "git-basics", tmp_path / "out")
    page = open_page(contexts(viewport={"width": 360, "height": 740}), path, T0)
    page.fill("#filter-text", "staging area")
    page.click("#study-start")
    reveal(page)
    pre = page.locator("#study-body pre").first
    padding = pre.evaluate(
        "p => [getComputedStyle(p).paddingLeft, getComputedStyle(p).paddingRight, p.scrollWidth > p.clientWidth]"
    )
    assert float(padding[0][:-2]) >= 10 and float(padding[1][:-2]) >= 10 and padding[2]
    assert pre.get_attribute("tabindex") == "0"
