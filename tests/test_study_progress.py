"""Study mode keeps progress: two tabs, an older page after a newer one, format 1, undo, import merge, reset.

Every page here is a file:// page, and Chromium gives all of them one localStorage, as it does a learner.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_tools import watched
from conftest import ROOT, build_page
from playwright.sync_api import expect
from study_tools import answer, counts, current, open_page, settings, store, stored

from studyguide.build.pipeline import load_guide
from studyguide.model import Guide

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def contexts(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Fresh browser profiles in UTC; afterwards assert no request left the file and no console error."""
    with watched(browser) as new:
        yield lambda **options: new(**{"timezone_id": "UTC", **options})


def reviewed(page: Page, guide_id: str) -> list[tuple[str, int]]:
    """The log's reviews: question and grade, in order."""
    return [(e["q"], e["g"]) for e in stored(page, guide_id)["log"]]


def test_two_tabs_merge_instead_of_overwriting(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide
) -> None:
    context = contexts()
    first, second = open_page(context, page_file, T0), open_page(context, page_file, T0)
    first.click("#study-start")
    second.click("#study-start")
    ids = [q.id for q in guide.questions]
    assert current(first) == current(second) == ids[0]
    done = [answer(first, 3, T0 + timedelta(minutes=n)) for n in range(3)]
    expect(second.locator("#study-status")).to_have_attribute("data-done", "3")  # the storage event told it
    assert current(second) == ids[3]  # the question it showed was answered in the other tab
    done += [answer(second, 4, T0 + timedelta(minutes=n)) for n in (4, 5)]
    expect(first.locator("#study-card")).to_have_attribute("data-id", ids[5])
    done.append(answer(first, 2, T0 + timedelta(minutes=6)))
    data = stored(first, guide.meta.id)
    assert done == ids[:6] and sorted(data["cards"]) == sorted(ids[:6])
    assert reviewed(second, guide.meta.id) == list(zip(ids[:6], (3, 3, 3, 4, 4, 2), strict=True))
    assert all(c["reps"] == 1 for c in data["cards"].values())


def test_an_older_page_keeps_a_newer_pages_progress(contexts: Callable[..., BrowserContext], tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "examples" / "git-basics", content)
    newer_file = build_page(content, tmp_path / "newer")
    guide = load_guide(content)
    added = guide.sections[-1].questions[-1:]  # the newer page's question, which the older one lacks
    section = content / "02-collaboration.md"
    text = section.read_text(encoding="utf-8")
    section.write_text(text[: text.index(f"## {added[0].title}")], encoding="utf-8")
    older_file = build_page(content, tmp_path / "older")
    context = contexts()
    newer = open_page(context, newer_file, T0)
    newer.fill("#filter-text", added[0].title)
    newer.click("#study-start")
    mine = [answer(newer, 4, T0)]
    kept = stored(newer, guide.meta.id)
    older = open_page(context, older_file, T0 + timedelta(minutes=5))
    older.click("#study-start")
    theirs = [answer(older, 3, T0 + timedelta(minutes=6 + n)) for n in range(3)]
    data = stored(older, guide.meta.id)
    assert mine[0] not in theirs and data["cards"][mine[0]] == kept["cards"][mine[0]]
    assert [e["q"] for e in data["log"]] == mine + theirs
    newer.clock.set_fixed_time(T0 + timedelta(minutes=10))
    newer.reload()
    newer.click("#study-start")
    items = [item for q in guide.questions for item in q.cards]  # the example's clozes and reversed card count each
    assert counts(newer) == (len(items) - 4, 3, 4)  # the older page's three steps are due soon


FORMAT_1_CARD = {"stability": 3.1, "difficulty": 5.2, "elapsed_days": 0, "learning_steps": 0, "reps": 2, "lapses": 0}


def test_format_1_progress_is_read_merged_and_left_in_place(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide
) -> None:
    ids = [q.id for q in guide.questions]
    review = {**FORMAT_1_CARD, "state": 2, "scheduled_days": 3, "due": "2026-03-02T12:00:00.000Z"}
    review["last_review"] = "2026-02-27T12:00:00.000Z"
    learning = {
        **FORMAT_1_CARD,
        "state": 1,
        "scheduled_days": 0,
        "learning_steps": 1,
        "due": "2026-03-05T09:00:00.000Z",
    }
    learning["last_review"] = "2026-03-01T08:50:00.000Z"
    old = {"format": 1, "guide": guide.meta.id, "newPerDay": 9, "day": 20260301, "newToday": 2, "doneToday": 2}
    old["cards"] = {ids[0]: review, ids[1]: learning}
    page = open_page(contexts(), page_file, T0)
    store(page, f"studyguide:{guide.meta.id}", old)
    page.reload()
    page.click("#study-start")
    assert counts(page) == (9, 1, 0) and current(page) == ids[0]  # the review is due today (its day), the step later
    answer(page, 3, T0)
    data = stored(page, guide.meta.id)
    assert data["settings"]["newPerDay"] == 9 and sorted(data["cards"]) == sorted(ids[:2])
    assert data["cards"][ids[1]] | {"day": None} == learning | {"day": None}
    assert json.loads(page.evaluate("k => localStorage.getItem(k)", f"studyguide:{guide.meta.id}")) == old
    later = {**learning, "reps": 3, "last_review": "2026-03-02T09:05:00.000Z", "due": "2026-03-02T09:06:00.000Z"}
    store(page, f"studyguide:{guide.meta.id}", {**old, "cards": {ids[1]: later}})  # a format 1 page studied on
    page.clock.set_fixed_time(T0 + timedelta(minutes=7))
    page.reload()
    page.click("#study-start")
    assert current(page) == ids[1]
    answer(page, 3, T0 + timedelta(minutes=7))
    assert stored(page, guide.meta.id)["cards"][ids[1]]["reps"] == 4


def test_undo_brings_each_card_back_as_it_was(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide
) -> None:
    page = open_page(contexts(), page_file, T0)
    page.click("#study-start")
    assert page.locator("#study-undo").is_disabled()
    ids = [answer(page, grade, T0 + timedelta(minutes=n)) for n, grade in enumerate((4, 4, 1))]
    page.keyboard.press("u")
    assert current(page) == ids[2] and ids[2] not in stored(page, guide.meta.id)["cards"]
    assert page.locator("#study-grades").is_hidden()  # the question again, its answer hidden
    page.keyboard.press("Control+z")
    assert current(page) == ids[1] and reviewed(page, guide.meta.id) == [(ids[0], 4)]
    assert counts(page) == (19, 0, 1)
    answer(page, 2, T0 + timedelta(minutes=5))
    page.click("#study-undo")
    assert current(page) == ids[1]
    # A review card, ten days on: undo restores it field for field.
    page.clock.set_fixed_time(T0 + timedelta(days=10))
    page.reload()
    page.click("#study-start")
    assert current(page) == ids[0]
    before = stored(page, guide.meta.id)
    answer(page, 3, T0 + timedelta(days=10, minutes=1))
    assert stored(page, guide.meta.id)["cards"][ids[0]] != before["cards"][ids[0]]
    page.keyboard.press("Meta+z")
    assert current(page) == ids[0] and stored(page, guide.meta.id) == before


def test_import_merges_the_log_and_keeps_the_learners_settings(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide, tmp_path: Path
) -> None:
    ids = [q.id for q in guide.questions]
    there = open_page(contexts(), page_file, T0)
    settings(there, guide.meta.id, newPerDay=12)
    there.click("#study-start")
    for n in range(4):
        answer(there, 3, T0 + timedelta(minutes=n))
    export = tmp_path / "there.json"
    export.write_text(json.dumps(stored(there, guide.meta.id)), encoding="utf-8")
    here = open_page(contexts(), page_file, T0 + timedelta(hours=1))
    settings(here, guide.meta.id, newPerDay=7)
    here.click("#study-start")
    answer(here, 4, T0 + timedelta(hours=1))  # ids[0] again, later: this one stays
    mine = stored(here, guide.meta.id)["cards"][ids[0]]
    here.locator(".study-settings summary").click()
    words = here.get_attribute("#study", "data-imported") or ""
    for expected in (words.format(cards=3, reviews=4), words.format(cards=0, reviews=0)):
        here.evaluate("document.getElementById('study-notice').textContent = ''")
        here.set_input_files("#study-import", export)
        expect(here.locator("#study-notice")).to_have_text(expected)
    data = stored(here, guide.meta.id)
    assert data["cards"][ids[0]] == mine and sorted(data["cards"]) == sorted(ids[:4])
    assert sorted((e["q"], e["t"]) for e in data["log"]) == sorted(
        [(e["q"], e["t"]) for e in json.loads(export.read_text())["log"]]
        + [(ids[0], int((T0 + timedelta(hours=1)).timestamp() * 1000))]
    )
    assert data["settings"]["newPerDay"] == 7 and counts(here)[2] == 5
    here.check("#study-import-settings")
    here.set_input_files("#study-import", export)
    expect(here.locator("#study-limit")).to_have_value("12")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": 2, "guide": guide.meta.id, "settings": {"newPerDay": "many", "rollover": 99}}))
    here.set_input_files("#study-import", bad)
    expect(here.locator("#study-notice")).to_have_text(words.format(cards=0, reviews=0))
    kept = stored(here, guide.meta.id)["settings"]
    assert kept["newPerDay"] == 12 and "rollover" not in kept


def test_a_question_whose_id_is_constructor_is_studied_like_any_other(
    contexts: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "examples" / "git-basics", content)
    with (content / "02-collaboration.md").open("a", encoding="utf-8") as section:
        section.write("\n## What does a constructor do? {#constructor}\n\nTags: commits\n\nIt builds an object.\n")
    path = build_page(content, tmp_path / "out")
    gid = load_guide(content).meta.id
    page = open_page(contexts(), path, T0)
    page.fill("#filter-text", "constructor do")
    page.click("#study-start")
    assert counts(page) == (1, 0, 0) and current(page) == "constructor"
    answer(page, 4, T0)
    assert stored(page, gid)["cards"]["constructor"]["state"] == 2
    assert "Invalid Date" not in page.inner_text("#study-done") and "2026" in page.inner_text("#study-done")
    page.reload()
    page.fill("#filter-text", "constructor do")
    page.click("#study-start")
    assert counts(page) == (0, 0, 1)


def test_reset_one_question_and_the_whole_guide(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide
) -> None:
    page = open_page(contexts(), page_file, T0)
    settings(page, guide.meta.id, newPerDay=8)
    page.click("#study-start")
    first = answer(page, 1, T0)
    answer(page, 3, T0)
    page.clock.set_fixed_time(T0 + timedelta(minutes=2))
    page.reload()
    page.click("#study-start")
    assert current(page) == first
    page.locator(".study-settings summary").click()
    page.click("#study-reset-one")
    assert page.inner_text("#study-confirm-text") == page.get_attribute("#study", "data-reset-one-confirm")
    page.click("#study-confirm-no")
    assert first in stored(page, guide.meta.id)["cards"]
    page.click("#study-reset-one")
    page.click("#study-confirm-yes")
    data = stored(page, guide.meta.id)
    assert first not in data["cards"] and len(data["log"]) == 2 and first in data["resets"]
    assert page.inner_text("#study-notice") == page.get_attribute("#study", "data-reset-done")
    page.click("#study-reset-all")
    page.click("#study-confirm-yes")
    data = stored(page, guide.meta.id)
    assert (data["cards"], data["log"], data["settings"]["newPerDay"]) == ({}, [], 8)
    assert counts(page) == (8, 0, 0)
