"""Progress is untrusted: stored and imported cards are checked field by field, and nothing in them breaks study.

The watched contexts fail a test on any page error or console error, so every case here also asserts that
the page never threw.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browser_tools import watched
from conftest import ROOT, build_page
from playwright.sync_api import expect
from study_tools import counts, current, key, open_page, reveal, store, stored

from studyguide.build.pipeline import load_guide
from studyguide.model import Guide

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOOD = {"due": "2026-03-05T04:00:00.000Z", "day": 20517, "stability": 3.2, "difficulty": 5.1, "elapsed_days": 0}
GOOD |= {
    "scheduled_days": 3,
    "learning_steps": 0,
    "reps": 1,
    "lapses": 0,
    "state": 2,
    "last_review": "2026-03-02T08:00:00.000Z",
}
# One card for each way a card is refused, with the reason the page must give.
BAD = {
    "future": {**GOOD, "last_review": "2026-03-03T08:00:00.000Z"},
    "range": {**GOOD, "stability": 0},
    "state": {**GOOD, "scheduled_days": 0},
    "form": {**GOOD, "due": "<img src=x onerror=alert(1)>"},
}
HOSTILE_VALUES: list[Any] = [
    None, True, 0, -1, 1.5, 1e308, -1e308, "", "x", "NaN", "2100-01-01T00:00:00.000Z", "1970-01-01T00:00:00Z",
    "2026-03-01T00:00:00.000Z", [], {}, [1, 2], {"__proto__": {"polluted": 1}}, "a" * 10000, 3, 2, 20517, 36500, 1e-9,
]  # fmt: skip
KEYS = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "", "x" * 300]


@pytest.fixture
def contexts(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Fresh browser profiles in UTC; afterwards assert no request left the file and no console error."""
    with watched(browser) as new:
        yield lambda **options: new(**{"timezone_id": "UTC", **options})


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Guide, Path]:
    """The example guide (six questions) and its page: quick to reload sixty times."""
    content = ROOT / "examples" / "git-basics"
    return load_guide(content), build_page(content, tmp_path_factory.mktemp("small"))


def import_file(page: Page, path: Path, data: Any) -> str:
    """Import a file through the page's button; return the notice it gives."""
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    page.evaluate("document.getElementById('study-notice').textContent = ''")
    page.set_input_files("#study-import", path)
    expect(page.locator("#study-notice")).not_to_be_empty()
    return page.inner_text("#study-notice")


def still_studies(page: Page) -> None:
    """A question can be answered, and then another one (or the end) comes: study is never locked."""
    question = current(page)
    if question is None:
        assert page.locator("#study-done").is_visible()
        return
    page.keyboard.press("Space")
    page.keyboard.press("Space")
    page.keyboard.press("3")
    assert current(page) != question or page.locator("#study-done").is_visible()


def test_refused_cards_are_counted_with_their_reasons_and_the_rest_imported(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide, tmp_path: Path
) -> None:
    ids = [q.id for q in guide.questions]
    cards: dict[str, Any] = {ids[0]: GOOD} | {ids[n + 1]: card for n, card in enumerate(BAD.values())}
    cards |= {"no-such-question": GOOD, "__proto__": GOOD, "constructor": GOOD, ids[6]: "not a card"}
    log = [
        {"q": ids[0], "t": 1772438400000, "g": 3, "p": 0, "i": 600},
        {"q": ids[0], "t": 1872438400000, "g": 3, "p": 0},
    ]
    log.append({"q": ids[0], "t": "yesterday", "g": 9, "p": 0})
    data = {"format": 2, "guide": guide.meta.id, "cards": cards, "log": log, "settings": {"newPerDay": "many"}}
    page = open_page(contexts(), page_file, T0)
    page.click("#study-start")
    page.locator(".study-settings summary").click()
    page.check("#study-import-settings")
    notice = import_file(page, tmp_path / "progress.json", data)
    study = page.locator("#study")
    reasons = {r: study.get_attribute(f"data-refused-{r}") or "" for r in BAD}
    refused = (study.get_attribute("data-refused") or "").format(
        cards=5, reviews=2, reasons=", ".join(f"{reasons[r]} ({2 if r == 'form' else 1})" for r in BAD)
    )
    imported = (study.get_attribute("data-imported") or "").format(cards=4, reviews=1)
    assert notice.split(imported + " ")[-1] == refused and notice.startswith(imported), notice
    kept = stored(page, guide.meta.id)
    assert {k: kept["cards"][k] for k in kept["cards"]} == {
        ids[0]: GOOD,
        "no-such-question": GOOD,
        "__proto__": GOOD,
        "constructor": GOOD,
    }
    assert kept["settings"].get("newPerDay") is None and page.input_value("#study-limit") == "20"
    assert page.locator("img[src='x']").count() == 0 and page.evaluate("({}).polluted") is None
    still_studies(page)


def test_stored_cards_that_cannot_be_used_never_lock_a_question(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide
) -> None:
    ids = [q.id for q in guide.questions]
    page = open_page(contexts(), page_file, T0)
    cards = {ids[n]: card for n, card in enumerate(BAD.values())}
    store(page, key(guide.meta.id), {"format": 2, "guide": guide.meta.id, "cards": cards, "log": [], "settings": {}})
    page.reload()
    page.click("#study-start")
    words = page.locator("#study")
    reasons = ", ".join(f"{words.get_attribute(f'data-refused-{r}')} (1)" for r in BAD)
    stored_refused = words.get_attribute("data-stored-refused") or ""
    assert page.inner_text("#study-notice") == stored_refused.format(cards=4, reasons=reasons)
    assert counts(page) == (20, 0, 0) and current(page) == ids[0]  # they count as new, one after the other
    for n in range(4):
        assert current(page) == ids[n]
        reveal(page)
        page.keyboard.press("4")
    data = stored(page, guide.meta.id)
    assert all(data["cards"][ids[n]]["reps"] == 1 and data["cards"][ids[n]]["state"] == 2 for n in range(4))
    page.reload()
    page.click("#study-start")
    assert page.locator("#study-notice").is_hidden()


def hostile_card(rng: random.Random) -> Any:
    """A card with some of its fields replaced by hostile values, or a hostile value instead of a card."""
    if rng.random() < 0.15:
        return rng.choice(HOSTILE_VALUES)
    card: dict[str, Any] = dict(GOOD)
    for name in rng.sample(sorted(GOOD), rng.randint(1, 4)):
        card[name] = rng.choice(HOSTILE_VALUES)
    if rng.random() < 0.2:
        card[rng.choice(KEYS)] = rng.choice(HOSTILE_VALUES)
    return card


def hostile_progress(rng: random.Random, guide: Guide) -> Any:
    """Random progress: hostile cards, reviews and settings under real, unknown and inherited names."""
    roll = rng.random()
    if roll < 0.1:
        return rng.choice(
            ["", "{", "null", "[]", '"text"', "1e999", "{" * 2000, json.dumps(rng.choice(HOSTILE_VALUES))]
        )
    ids = [q.id for q in guide.questions[:6]] + KEYS
    data: dict[str, Any] = {"format": rng.choice([1, 2, 3, "2", None]), "guide": guide.meta.id}
    data["cards"] = {rng.choice(ids): hostile_card(rng) for _ in range(rng.randint(0, 8))}
    entry = {"q": guide.questions[0].id, "t": 1772438400000, "g": 3, "p": 0}
    data["log"] = [
        {**entry, rng.choice(["q", "t", "g", "p", "i", "ahead"]): rng.choice(HOSTILE_VALUES)} for _ in range(3)
    ]
    data["settings"] = {rng.choice(["newPerDay", "rollover", "fuzz", "plan"] + KEYS): rng.choice(HOSTILE_VALUES)}
    for name in rng.sample(["cards", "log", "settings", "resets", "resetAt"], rng.randint(0, 2)):
        data[name] = rng.choice(HOSTILE_VALUES)
    return data


def click(page: Page, selector: str) -> None:
    """Click an element from inside the page (no wait for animation frames: sixty rounds stay quick)."""
    page.evaluate("s => document.querySelector(s).click()", selector)


def test_random_and_hostile_progress_through_import_and_reload(
    contexts: Callable[..., BrowserContext], small: tuple[Guide, Path], tmp_path: Path
) -> None:
    guide, page_file = small
    rng = random.Random(32)
    page = open_page(contexts(), page_file, T0)
    for round_ in range(60):
        data = hostile_progress(rng, guide)
        page.clock.set_fixed_time(T0 + timedelta(minutes=round_))
        page.reload()
        click(page, "#study-start")
        page.evaluate("v => { document.getElementById('study-import-settings').checked = v; }", rng.random() < 0.5)
        assert import_file(page, tmp_path / f"{round_}.json", data)
        still_studies(page)
        store(page, rng.choice([key(guide.meta.id), f"studyguide:{guide.meta.id}"]), data)
        page.reload()
        click(page, "#study-start")
        still_studies(page)
        for panel in ("#study-stats-panel", "#study-plan-panel"):
            click(page, f"{panel} > summary")
        expect(page.locator("#study-stats svg.chart")).to_have_count(2)  # drawn on the details' toggle event
        assert page.evaluate("({}).polluted") is None
