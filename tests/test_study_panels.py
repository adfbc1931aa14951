"""Study mode's statistics (from the review log, drawn as inline SVG) and interview plan (with study-ahead)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browser_tools import watched
from playwright.sync_api import expect
from study_tools import counts, current, open_page, reveal, settings, stored

from studyguide.model import Guide

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EPOCH = date(1970, 1, 1).toordinal()


@pytest.fixture
def contexts(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Fresh browser profiles in UTC; afterwards assert no request left the file and no console error."""
    with watched(browser) as new:
        yield lambda **options: new(**{"timezone_id": "UTC", **options})


def day(millis: int) -> int:
    """The learner's day number (UTC, day from 4 a.m.) of a moment."""
    return (datetime.fromtimestamp(millis / 1000, UTC) - timedelta(hours=4)).date().toordinal() - EPOCH


def session(page: Page, start: datetime, grades: list[int]) -> None:
    """Study from `start` until nothing is left, a minute apart, grading by `grades` and then Good."""
    page.clock.set_fixed_time(start)
    page.reload()
    page.click("#study-start")
    at = start
    while current(page) is not None:
        at += timedelta(minutes=1)
        page.clock.set_fixed_time(at)
        reveal(page)
        page.keyboard.press(str(grades.pop(0) if grades else 3))


def test_statistics_show_today_retention_heatmap_and_forecast(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide
) -> None:
    page = open_page(contexts(), page_file, T0)
    settings(page, guide.meta.id, newPerDay=6)
    session(page, T0, [3, 4, 1, 3, 2, 4])
    later = T0 + timedelta(days=3)
    session(page, later, [1, 3, 2, 3, 4, 3, 1])
    data = stored(page, guide.meta.id)
    now = int((later + timedelta(hours=1)).timestamp() * 1000)
    today, log = day(now), data["log"]
    todays = [e for e in log if day(e["t"]) == today]
    assert todays and [e for e in log if e["p"] == 2]
    page.locator("#study-stats-panel > summary").click()
    numbers = page.eval_on_selector_all(".stats-today dd", "ds => ds.map(d => Number(d.textContent))")
    assert numbers == [len(todays), sum(e["p"] == 0 for e in todays), sum(e["g"] == 1 for e in todays)]
    reviews = [e for e in log if e["p"] == 2 and day(e["t"]) > today - 30]
    share = sum(e["g"] > 1 for e in reviews) / len(reviews)
    words = page.locator("#study")
    expected = (words.get_attribute("data-retention-value") or "").format(
        percent=f"{round(share * 100, 1):g}%", count=len(reviews)
    )
    assert page.inner_text(".stats-retention strong") == expected
    days = sorted({day(e["t"]) for e in log})
    cells = page.locator("#study-stats svg.chart").first
    summary = (words.get_attribute("data-heatmap-summary") or "").format(count=len(log), days=len(days))
    assert cells.get_attribute("aria-label") == summary and cells.locator("rect").count() == 77 + (today + 3) % 7 + 1
    assert cells.locator("rect:not(.empty)").count() == len(days)
    titles = cells.locator("rect:not(.empty) title").all_text_contents()
    assert [int(t.rsplit(" ", 1)[1]) for t in titles] == [sum(day(e["t"]) == d for e in log) for d in days]
    due = [
        max(today, c["day"] if c["day"] is not None else day(int(datetime.fromisoformat(c["due"]).timestamp() * 1000)))
        for c in data["cards"].values()
    ]
    bars = page.locator("#study-stats svg.chart").nth(1)
    assert bars.locator("rect").count() == 30
    shown = [int(t.rsplit(" ", 1)[1]) for t in bars.locator("rect title").all_text_contents()]
    assert shown == [due.count(d) for d in range(today, today + 30)] and sum(shown) == len(due)


def test_an_interview_plan_and_studying_ahead_leave_the_schedule_alone(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide
) -> None:
    page = open_page(contexts(), page_file, T0)
    settings(page, guide.meta.id, fuzz=False)
    page.click("#study-start")
    page.keyboard.press("Space")
    page.keyboard.press("Space")
    page.keyboard.press("4")  # one review, due in some days: the plan counts it where it falls
    page.locator("#study-plan-panel > summary").click()
    interview = (T0 + timedelta(days=10)).date()
    page.fill("#plan-times", "3")
    page.fill("#plan-date", interview.isoformat())
    page.locator("#plan-date").dispatch_event("change")
    words = page.locator("#study")
    summary = (words.get_attribute("data-plan-summary") or "").format(
        questions=len(guide.questions), times=3, date="March 12, 2026", views=3 * len(guide.questions) - 1, days=10
    )
    expect(page.locator("#plan-output p").first).to_have_text(summary)
    rows = page.eval_on_selector_all("#plan-output tbody tr", "rs => rs.map(r => [...r.cells].map(c => c.textContent))")
    assert sum(int(r[1]) + int(r[2]) for r in rows) == 3 * len(guide.questions) - 1
    assert len(rows) == 10 and sum(int(r[1]) for r in rows) == 1
    ahead = int(rows[0][2])
    assert 0 < ahead and page.inner_text("#plan-start") == (words.get_attribute("data-plan-start") or "").format(
        count=ahead
    )
    before = stored(page, guide.meta.id)
    page.click("#plan-start")
    assert page.locator("#study-mode").is_visible()
    assert page.inner_text("#study-status") == (words.get_attribute("data-ahead-left") or "").format(left=ahead)
    assert page.locator("#study-grades .interval").all_text_contents() == [""] * 4
    answered = 0
    while current(page) is not None:
        reveal(page)
        page.keyboard.press("1" if answered == 0 else "3")  # Again: once more before the end
        answered += 1
    assert answered == ahead + 1 and page.inner_text("#study-done") == words.get_attribute("data-ahead-done")
    after = stored(page, guide.meta.id)
    assert after["cards"] == before["cards"]  # the schedule is untouched
    added: list[dict[str, Any]] = after["log"][len(before["log"]) :]
    assert len(added) == answered and all(e.get("ahead") is True for e in added)
    expect(page.locator("#plan-start")).to_be_disabled()
    page.keyboard.press("Escape")
    page.click("#study-start")
    assert counts(page) == (19, 0, 1 + answered)  # studying ahead took none of today's new questions
