"""Study mode schedules as Anki does with FSRS on: ten days of a learner in two time zones, answer by answer.

Every answer the page stores is compared with ts-fsrs run in Node (the memory model, elapsed days counted in
the learner's local days from 4 a.m.) and with Anki 26.9.3 replaying the same answers at the same moments
in the same zone (states, stabilities, difficulties, due times, intervals, the four labels).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
from browser_tools import watched
from study_tools import (
    Answer,
    Learner,
    anki_label,
    anki_replay,
    counts,
    english,
    local_day,
    moments,
    open_page,
    reveal,
    settings,
    stored,
    ts_fsrs_memory,
)

from studyguide.model import Guide

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

FIRST = datetime(2026, 3, 2, tzinfo=UTC)
LEARN, REVIEW, RELEARN = 1, 2, 3


@pytest.fixture
def contexts(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Fresh browser profiles; afterwards assert no request left the file and no console error."""
    with watched(browser) as new:
        yield new


def ten_days(context: BrowserContext, page_file: Path, guide: Guide, zone: str, **values: Any) -> list[Answer]:
    """A learner's ten days: four sessions a day (the last at 00:30), five new questions a day."""
    page = open_page(context, page_file, FIRST)
    settings(page, guide.meta.id, newPerDay=5, **values)
    learner = Learner()
    for start, most in moments(zone, FIRST, 10):
        learner.session(page, guide.meta.id, start, most)
    return learner.answers


def same_stability(page: float, anki: float) -> bool:
    """Equal as Anki stores it: to 4 decimal places (one unit apart where f32 and f64 round differently)."""
    return abs(page - anki) <= 1.01e-4 + 1e-6 * anki


def differences(answer: Answer, anki: dict[str, Any], zone: str) -> list[str]:
    """What the page stored or showed differently from Anki for one answer."""
    card, found = answer.card, []
    if card["state"] != anki["type"]:
        found.append(f"state {card['state']} != {anki['type']}")
    if not same_stability(card["stability"], anki["s"]) or abs(card["difficulty"] - anki["d"]) > 1.01e-3:
        found.append(f"memory {card['stability']}, {card['difficulty']} != {anki['s']}, {anki['d']}")
    if anki["queue"] == 1:  # a learning step today: due at its second
        due = datetime.fromisoformat(card["due"]).timestamp()
        if card["day"] is not None or abs(due - anki["due"]) > 1:
            found.append(f"due {card['due']} != {anki['due']}")
    elif card["day"] is None or card["day"] - day_of(answer.time, zone) != anki["due"] - anki["today"]:
        found.append(f"due day {card['day']} != {anki['due'] - anki['today']} days on")
    if card["state"] in (REVIEW, RELEARN) and card["scheduled_days"] != anki["ivl"]:
        found.append(f"interval {card['scheduled_days']} != {anki['ivl']}")
    if answer.labels != [english(label) for label in anki["labels"]]:
        found.append(f"labels {answer.labels} != {anki['labels']}")
    return found


def day_of(time: int, zone: str) -> int:
    """The page's day number (days since 1970-01-01) of the learner's day of a moment."""
    return local_day(time, zone) - datetime(1970, 1, 1).toordinal()


def situations(answers: list[Answer], zone: str) -> dict[str, int]:
    """How often the answers met the cases where the page once differed from Anki."""
    found = dict.fromkeys(("review", "lapse", "hard on step 2", "easy relearning", "before 4 a.m."), 0)
    for a in answers:
        state, step = (a.before or {}).get("state", 0), (a.before or {}).get("learning_steps", 0)
        found["review"] += state == REVIEW
        found["lapse"] += state == REVIEW and a.grade == 1
        found["hard on step 2"] += state == LEARN and step == 1 and a.grade == 2
        found["easy relearning"] += state == RELEARN and a.grade == 4
        found["before 4 a.m."] += datetime.fromtimestamp(a.time / 1000, ZoneInfo(zone)).hour < 4
    return found


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Asia/Tokyo"])
def test_ten_days_match_ts_fsrs_and_anki_answer_by_answer(
    zone: str, contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide, tmp_path: Path
) -> None:
    answers = ten_days(contexts(timezone_id=zone), page_file, guide, zone, fuzz=False)
    seen = situations(answers, zone)
    assert len(answers) > 180 and min(seen.values()) > 0, seen
    memory = ts_fsrs_memory(answers, zone)
    for a, m in zip(answers, memory, strict=True):
        assert (a.card["stability"], a.card["difficulty"]) == (m["stability"], m["difficulty"]), a
    anki = anki_replay(answers, zone, tmp_path)
    assert len(anki) == len(answers)
    wrong = [(i, a.question, differences(a, r, zone)) for i, (a, r) in enumerate(zip(answers, anki, strict=True))]
    assert [w for w in wrong if w[2]] == []
    exact = sum(round(a.card["stability"], 4) == round(r["s"], 4) for a, r in zip(answers, anki, strict=True))
    assert exact >= len(answers) - 2  # f32 against f64 may round the 4th decimal apart, once in a few hundred


def test_every_label_is_the_interval_applied_with_fuzz_on(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide
) -> None:
    zone = "Asia/Tokyo"
    answers = ten_days(contexts(timezone_id=zone), page_file, guide, zone)
    fuzzed = 0
    for a in answers:
        card = a.card
        if card["day"] is not None:
            applied = (card["day"] - day_of(a.time, zone)) * 86400.0
        else:
            applied = (datetime.fromisoformat(card["due"]).timestamp() * 1000 - a.time) / 1000
        assert a.labels[a.grade - 1] == anki_label(applied), (a.question, a.grade, a.labels, card)
        if card["state"] == REVIEW and card["scheduled_days"] >= 3:
            fuzzed += card["scheduled_days"] != max(1, round(card["stability"]))
    days = [a for a in answers if a.card["day"] is not None and a.card["scheduled_days"] >= 3]
    assert len(days) > 40 and fuzzed > 5  # fuzz is on: many intervals are not FSRS's own


def test_the_day_starts_at_4_am_not_at_midnight(
    contexts: Callable[..., BrowserContext], page_file: Path, guide: Guide
) -> None:
    tz = ZoneInfo("Asia/Tokyo")
    evening = datetime(2026, 3, 2, 23, 30, tzinfo=tz)
    page = open_page(contexts(timezone_id="Asia/Tokyo"), page_file, evening)
    settings(page, guide.meta.id, newPerDay=3)
    page.click("#study-start")
    for _ in range(3):
        reveal(page)
        page.keyboard.press("4")  # Easy: a review due in days
    assert counts(page) == (0, 0, 3)
    for at, expected in (
        (evening + timedelta(hours=1), (0, 0, 3)),
        (evening + timedelta(hours=4, minutes=31), (3, 0, 0)),
    ):
        page.clock.set_fixed_time(at)
        page.reload()
        page.click("#study-start")
        assert counts(page) == expected, at
    # A 10-minute step at 03:55 crosses the day's end: it becomes a day, as in Anki (due after 4 a.m.).
    late = datetime(2026, 3, 4, 3, 55, tzinfo=tz)
    page.clock.set_fixed_time(late)
    page.reload()
    page.click("#study-start")
    question = page.get_attribute("#study-card", "data-id")
    reveal(page)
    assert page.locator("[data-grade='3'] .interval").inner_text() == "1 d"
    page.keyboard.press("3")
    card = stored(page, guide.meta.id)["cards"][question]
    assert (card["state"], card["day"]) == (LEARN, day_of(int(late.timestamp() * 1000), "Asia/Tokyo") + 1)
    for at, due in ((late + timedelta(minutes=4), False), (late + timedelta(minutes=6), True)):
        page.clock.set_fixed_time(at)
        page.reload()
        page.click("#study-start")
        assert (page.get_attribute("#study-card", "data-id") == question) == due, at
