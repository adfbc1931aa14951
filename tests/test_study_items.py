"""Study mode's items on the Anki-like scheduler: each cloze number and each direction of a reversed question is
scheduled, stored, exported, imported and undone on its own, and an older page's progress keyed by a question's
id stays that question's own item. The page is the cloze fixture's: git-add (two clozes, tag `staging`), ohm
(three), idempotent (reversed, tag `words`) and status (a plain question)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browser_tools import watched
from conftest import FIXTURES, build_page
from playwright.sync_api import expect
from study_tools import answer, counts, current, open_page, reveal, store, stored

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GUIDE = "cloze-fixture"
ITEMS = ["git-add::c1", "git-add::c2", "ohm::c1", "ohm::c2", "ohm::c3", "idempotent", "idempotent::reverse", "status"]


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cloze fixture's page."""
    return build_page(FIXTURES / "clozes", tmp_path_factory.mktemp("items"))


@pytest.fixture
def contexts(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Fresh browser profiles in UTC; afterwards assert no request left the file and no console error."""
    with watched(browser) as new:
        yield lambda **options: new(**{"timezone_id": "UTC", **options})


def start(page: Page, tag: str = "") -> None:
    """Keep the questions of one tag (all with ""), then start studying them."""
    page.select_option("#filter-tag", tag)
    page.click("#study-start")


def reviewed(page: Page) -> list[tuple[str, int]]:
    """The log's reviews: item and grade, in order."""
    return [(e["q"], e["g"]) for e in stored(page, GUIDE)["log"]]


def test_each_cloze_and_each_direction_is_a_new_item(contexts: Callable[..., BrowserContext], page_file: Path) -> None:
    page = open_page(contexts(), page_file, T0)
    start(page)
    assert counts(page) == (8, 0, 0) and current(page) == ITEMS[0]
    assert [answer(page, 4, T0 + timedelta(minutes=n)) for n in range(8)] == ITEMS  # Easy: none comes back today
    assert sorted(stored(page, GUIDE)["cards"]) == sorted(ITEMS) and counts(page) == (0, 0, 8)
    for tag, items in (("staging", ITEMS[:2]), ("words", ITEMS[5:7])):
        page.keyboard.press("Escape")
        page.clock.set_fixed_time(T0 + timedelta(days=60))  # every item due again
        start(page, tag)
        assert counts(page)[1] == 2 and [answer(page, 3, T0 + timedelta(days=60)) for _ in items] == items


def test_each_cloze_keeps_its_own_progress_across_a_reload_and_through_export_and_import(
    contexts: Callable[..., BrowserContext], page_file: Path, tmp_path: Path
) -> None:
    page = open_page(contexts(accept_downloads=True), page_file, T0)
    start(page, "staging")
    assert counts(page) == (2, 0, 0)
    assert [answer(page, 1, T0), answer(page, 4, T0 + timedelta(minutes=1))] == ITEMS[:2]  # Again, then Easy
    cards = stored(page, GUIDE)["cards"]
    assert sorted(cards) == ITEMS[:2] and (cards[ITEMS[0]]["state"], cards[ITEMS[1]]["state"]) == (1, 2)
    assert reviewed(page) == [(ITEMS[0], 1), (ITEMS[1], 4)]
    page.clock.set_fixed_time(T0 + timedelta(minutes=2))
    page.reload()
    start(page, "staging")
    assert counts(page) == (0, 1, 2) and current(page) == ITEMS[0]  # the first cloze's step is due, the second not
    assert stored(page, GUIDE)["cards"] == cards
    page.locator(".study-settings summary").click()
    with page.expect_download() as download:
        page.click("#study-export")
    saved = tmp_path / "progress.json"
    download.value.save_as(saved)
    assert json.loads(saved.read_text(encoding="utf-8"))["cards"] == cards

    elsewhere = open_page(contexts(), page_file, T0 + timedelta(minutes=2))
    start(elsewhere, "staging")
    assert counts(elsewhere) == (2, 0, 0)
    elsewhere.locator(".study-settings summary").click()
    elsewhere.set_input_files("#study-import", saved)
    imported = elsewhere.get_attribute("#study", "data-imported") or ""
    expect(elsewhere.locator("#study-notice")).to_have_text(imported.format(cards=2, reviews=2))
    assert stored(elsewhere, GUIDE)["cards"] == cards and reviewed(elsewhere) == reviewed(page)
    assert counts(elsewhere) == (0, 1, 2) and current(elsewhere) == ITEMS[0]


def test_undo_restores_a_cloze_item_and_shows_its_front_again(
    contexts: Callable[..., BrowserContext], page_file: Path
) -> None:
    page = open_page(contexts(), page_file, T0)
    start(page, "staging")
    answer(page, 3, T0)
    assert current(page) == ITEMS[1]
    reveal(page)  # the second cloze's back: filled in and marked
    assert page.locator("#study-body .cloze-current").count() == 1
    assert page.text_content("#study-said") == "index"  # a screen reader hears the cloze's text
    page.keyboard.press("u")
    assert current(page) == ITEMS[0] and stored(page, GUIDE)["cards"] == {} and reviewed(page) == []
    assert page.locator("#study-grades").is_hidden() and counts(page) == (2, 0, 0)
    front = " ".join(page.inner_text("#study-body").split())
    assert "[…] puts a change in the index" in front and "The next […] records" in front  # c1 hidden, c2 shown
    assert page.locator("#study-body .cloze-current").count() == 0
    assert page.locator("#study-body .cloze-blank").count() == 2
    answer(page, 1, T0 + timedelta(minutes=1))
    answer(page, 3, T0 + timedelta(minutes=2))
    page.clock.set_fixed_time(T0 + timedelta(minutes=3))
    page.reload()
    start(page, "staging")
    assert current(page) == ITEMS[0]
    before = stored(page, GUIDE)
    answer(page, 3, T0 + timedelta(minutes=3))
    assert stored(page, GUIDE)["cards"][ITEMS[0]] != before["cards"][ITEMS[0]]
    page.keyboard.press("Control+z")
    assert current(page) == ITEMS[0] and stored(page, GUIDE) == before
    page.keyboard.press("Escape")  # the list gets its question back whole
    assert page.locator("details.question .cloze-blank, details.question .cloze[hidden]").count() == 0


def test_an_older_pages_progress_by_question_id_stays_that_questions_item(
    contexts: Callable[..., BrowserContext], page_file: Path
) -> None:
    review: dict[str, Any] = {"stability": 3.1, "difficulty": 5.2, "elapsed_days": 0, "learning_steps": 0, "reps": 2}
    review |= {"lapses": 0, "state": 2, "scheduled_days": 3, "due": "2026-03-02T12:00:00.000Z"}
    review["last_review"] = "2026-02-27T12:00:00.000Z"  # a format 1 review card, due today
    old = {"format": 1, "guide": GUIDE, "newPerDay": 20, "cards": {"idempotent": review, "git-add": review}}
    page = open_page(contexts(), page_file, T0)
    store(page, f"studyguide:{GUIDE}", old)
    page.reload()
    start(page)
    # The reversed question's first card is the old question; the cloze note's old card is none of its items.
    assert counts(page) == (7, 1, 0) and current(page) == "idempotent"
    answer(page, 3, T0)
    cards = stored(page, GUIDE)["cards"]
    assert cards["idempotent"]["reps"] == 3 and "idempotent::reverse" not in cards
    assert cards["git-add"] | {"day": None} == review | {"day": None}  # kept as it was, for the older page
    assert current(page) == "git-add::c1"
