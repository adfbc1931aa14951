"""Study mode of the page: FSRS scheduling (ts-fsrs) and progress in localStorage, in real headless Chromium.

The page is opened from a file:// path. Due dates are compared with ts-fsrs run in Node from the npm
package (the Python `fsrs` 6.3.2 has the same default parameters but differs from ts-fsrs 5.4.2 in
learning-step rounding and in keeping Hard < Good < Easy intervals, so it cannot be the reference).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browser_tools import NODE_MODULES, axe_violations, require, watched
from conftest import ROOT, build_page
from playwright.sync_api import expect

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
NODE_SCHEDULE = """
const fs = require("fs"), vm = require("vm");
const context = {};
vm.createContext(context);
vm.runInContext(fs.readFileSync(process.argv[process.argv.length - 1], "utf8"), context);
const F = context.FSRS;
const scheduler = F.fsrs(F.generatorParameters({ enable_fuzz: true }));
const out = {};
for (const [id, steps] of Object.entries(JSON.parse(fs.readFileSync(0, "utf8")))) {
  let card = F.createEmptyCard(new Date(steps[0][0]));
  for (const [time, grade] of steps) card = scheduler.next(card, new Date(time), grade).card;
  out[id] = { due: card.due.toISOString(), stability: card.stability, difficulty: card.difficulty, state: card.state };
}
console.log(JSON.stringify(out));
"""
BLOCK_STORAGE = """
Object.defineProperty(window, "localStorage", {
  get() { throw new DOMException("The operation is insecure.", "SecurityError"); }
});
"""


Open = Callable[..., "Page"]


@pytest.fixture
def contexts(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Fresh browser profiles in UTC; afterwards assert no request left the file and no console error."""
    with watched(browser) as new:
        yield lambda **options: new(timezone_id="UTC", **options)


def open_page(context: BrowserContext, path: Path, at: datetime = T0) -> Page:
    """Open the page in a context with the clock fixed at a time."""
    page = context.new_page()
    page.clock.set_fixed_time(at)
    page.goto(path.as_uri())
    return page


def counts(page: Page) -> tuple[int, int, int]:
    """The status line's numbers: new, due now, done today."""
    status = page.locator("#study-status")
    return tuple(int(status.get_attribute(f"data-{n}") or "-1") for n in ("new", "due", "done"))  # type: ignore[return-value]


def stored(page: Page, guide_id: str) -> dict[str, Any]:
    """The progress the page keeps in localStorage."""
    data: dict[str, Any] = json.loads(page.evaluate(f"localStorage.getItem('studyguide:{guide_id}')"))
    return data


def current(page: Page) -> str | None:
    """The id of the question on screen, or None when the session is done."""
    if not page.locator("#study-card").is_visible():
        return None
    return page.get_attribute("#study-card", "data-id")


def study(page: Page, grades: dict[str, int], start: datetime, count: int = 0) -> dict[str, list[tuple[str, int]]]:
    """Answer `count` questions, else until none is left, a minute apart: first sight by `grades`, then Good."""
    log: dict[str, list[tuple[str, int]]] = {}
    at = start
    for answered in range(count or 60):
        qid = current(page)
        if qid is None and not count:
            return log
        assert qid is not None, f"only {answered} of {count} questions to answer"
        grade = grades.get(qid, 3) if qid not in log else 3
        page.clock.set_fixed_time(at)
        page.keyboard.press("Space")
        page.keyboard.press(str(grade))
        log.setdefault(qid, []).append((at.isoformat(), grade))
        at += timedelta(minutes=1)
    assert count, "the session never ended"
    return log


def ts_fsrs(log: dict[str, list[tuple[str, int]]]) -> dict[str, dict[str, Any]]:
    """Run the same reviews through ts-fsrs from the npm package, in Node."""
    node = shutil.which("node")
    require(node is not None and (LIBRARY / "dist" / "index.umd.js").is_file(), "node and ts-fsrs (npm)")
    assert node is not None
    done = subprocess.run(
        [node, "-e", NODE_SCHEDULE, str(LIBRARY / "dist" / "index.umd.js")],
        input=json.dumps(log),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: dict[str, dict[str, Any]] = json.loads(done.stdout)
    return result


def due_at(card: dict[str, Any]) -> datetime:
    """When a card counts as due: a review card from the start of its day (UTC here), a learning step at its time."""
    due = datetime.fromisoformat(card["due"].replace("Z", "+00:00"))
    return due.replace(hour=0, minute=0, second=0, microsecond=0) if card["state"] == 2 else due


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
    page = open_page(contexts(), page_file)
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


def test_due_days_are_those_ts_fsrs_gives(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide
) -> None:
    context = contexts()
    page = open_page(context, page_file)
    page.select_option("#filter-section", guide.sections[1].id)
    page.click("#study-start")
    ids = [q.id for q in guide.sections[1].questions]
    log = study(page, dict(zip(ids, (1, 2, 3, 4, 3, 2, 4, 1, 3, 4, 2, 3), strict=False)), T0)
    assert sorted(log) == sorted(ids)
    done = page.inner_text("#study-done")
    assert done.startswith(page.get_attribute("#study", "data-next").split("{when}")[0])  # type: ignore[union-attr]
    cards = stored(page, guide.meta.id)["cards"]
    expected = ts_fsrs(log)
    for qid, card in cards.items():
        want = expected[qid]
        assert (card["due"], card["state"]) == (want["due"], want["state"]), qid
        assert card["stability"] == pytest.approx(want["stability"]) and card["difficulty"] == pytest.approx(
            want["difficulty"]
        )
    days = sorted({due_at(c) for c in expected.values()})
    assert len(days) >= 3
    for day in days:
        for at in (day - timedelta(seconds=30), day + timedelta(seconds=30)):
            page.clock.set_fixed_time(at)
            page.reload()
            page.select_option("#filter-section", guide.sections[1].id)
            page.click("#study-start")
            assert counts(page)[1] == sum(due_at(c) <= at for c in expected.values()), at


def test_rebuilt_page_keeps_each_remaining_question_schedule(
    contexts: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "examples" / "git-basics", content)
    out = tmp_path / "out"
    path = build_page(content, out)
    guide = load_guide(content)
    page = open_page(contexts(), path)
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
    assert counts(page)[1] == len(items) - len(removed.cards)
    page.locator(".study-settings summary").click()
    page.fill("#study-limit", "7")
    page.locator("#study-limit").press("Tab")
    after = stored(page, guide.meta.id)
    assert after["newPerDay"] == 7
    assert after["cards"] == {k: v for k, v in before.items() if k != removed.id}


def test_export_then_import_in_a_fresh_profile(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide, tmp_path: Path
) -> None:
    page = open_page(contexts(accept_downloads=True), page_file)
    page.click("#study-start")
    study(page, {}, T0, count=4)
    page.locator(".study-settings summary").click()
    with page.expect_download() as download:
        page.click("#study-export")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"{guide.meta.id}-progress.json"
    mine = stored(page, guide.meta.id)
    assert json.loads(saved.read_text(encoding="utf-8"))["cards"] == mine["cards"]
    elsewhere = open_page(contexts(), page_file, T0 + timedelta(minutes=4))
    elsewhere.click("#study-start")
    assert counts(elsewhere)[0] == 20
    elsewhere.locator(".study-settings summary").click()
    other = tmp_path / "other.json"
    other.write_text(json.dumps({**mine, "guide": "another-guide"}), encoding="utf-8")
    elsewhere.set_input_files("#study-import", other)
    notice = expect(elsewhere.locator("#study-notice"))  # waits: the file is read asynchronously
    notice.to_have_text(elsewhere.get_attribute("#study", "data-import-failed") or "")
    assert elsewhere.evaluate(f"localStorage.getItem('studyguide:{guide.meta.id}')") is None
    elsewhere.set_input_files("#study-import", saved)
    notice.to_contain_text(str(len(mine["cards"])))  # the page's CSP refuses wait_for_function's string eval
    assert stored(elsewhere, guide.meta.id)["cards"] == mine["cards"]
    assert str(len(mine["cards"])) in elsewhere.inner_text("#study-notice")
    assert counts(elsewhere) == (20, len(mine["cards"]), 0)


def test_an_import_keeps_only_well_formed_cards_of_known_questions(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide, tmp_path: Path
) -> None:
    good = {"due": "2026-03-05T09:00:00.000Z", "stability": 3.2, "difficulty": 5.1, "elapsed_days": 0}
    good |= {"scheduled_days": 3, "learning_steps": 0, "reps": 1, "lapses": 0, "state": 2, "last_review": None}
    first, second, third = (q.id for q in guide.questions[:3])
    cards = {first: good, second: {**good, "stability": -1}, third: {**good, "due": "<img src=x>"}}
    cards |= {"no-such-question": good, "__proto__": good, "constructor": good}
    hostile = tmp_path / "progress.json"
    hostile.write_text(json.dumps({"guide": guide.meta.id, "newPerDay": "many", "cards": cards}), encoding="utf-8")
    page = open_page(contexts(), page_file)
    page.click("#study-start")
    page.locator(".study-settings summary").click()
    page.set_input_files("#study-import", hostile)
    expect(page.locator("#study-notice")).not_to_be_empty()
    kept = stored(page, guide.meta.id)
    assert kept["cards"] == {first: good} and kept["newPerDay"] == 20
    assert page.locator("img[src='x']").count() == 0


def test_blocked_storage_gets_a_notice_and_still_studies(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide
) -> None:
    context = contexts()
    context.add_init_script(BLOCK_STORAGE)
    page = open_page(context, page_file)
    page.click("#study-start")
    assert page.inner_text("#study-notice") == page.get_attribute("#study", "data-blocked")
    for _ in range(2):
        page.keyboard.press("Space")
        page.keyboard.press("4")
    assert counts(page) == (18, 0, 2)
    assert current(page) == guide.questions[2].id


def test_escape_goes_back_where_the_learner_was(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide
) -> None:
    page = open_page(contexts(viewport={"width": 1000, "height": 700}), page_file)
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


def test_new_limit_is_remembered_and_without_javascript_no_button(
    contexts: Callable[..., BrowserContext], page_file: Path
) -> None:
    page = open_page(contexts(java_script_enabled=False), page_file)
    assert not page.locator("#study-start").is_visible() and not page.locator("#study").is_visible()
    page = open_page(contexts(), page_file)
    page.click("#study-start")
    page.locator(".study-settings summary").click()
    page.fill("#study-limit", "0")
    page.locator("#study-limit").press("Tab")
    page.reload()
    page.click("#study-start")
    assert page.input_value("#study-limit") == "0"
    assert counts(page) == (0, 0, 0)
    limit = page.get_attribute("#study", "data-limit") or ""
    assert page.inner_text("#study-done") == limit.replace("{limit}", "0")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_in_study_mode(
    contexts: Callable[..., BrowserContext], page_file: Path, scheme: str
) -> None:
    page = open_page(contexts(color_scheme=scheme, bypass_csp=True), page_file)
    page.click("#study-start")
    page.keyboard.press("Space")
    page.keyboard.press("Space")
    page.locator(".study-settings summary").click()
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations)


def test_study_mode_fits_a_360_px_phone(contexts: Callable[..., BrowserContext], page_file: Path) -> None:
    page = open_page(contexts(viewport={"width": 360, "height": 740}), page_file)
    page.click("#study-start")
    page.keyboard.press("Space")
    page.keyboard.press("Space")
    page.locator(".study-settings summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    boxes = page.eval_on_selector_all("#study-grades button", "bs => bs.map(b => b.getBoundingClientRect().width)")
    assert len(boxes) == 4 and min(boxes) >= 44
