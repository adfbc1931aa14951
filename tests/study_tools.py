"""Study mode as a learner meets it: the page in Chromium on Playwright's clock, and the references it is
checked against: ts-fsrs from npm run in Node, and Anki 26.9.3 (the `anki` library, FSRS on) replaying
the same answers at the same moments (its clock set by libfaketime, Debian's `faketime`)."""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from browser_tools import NODE_MODULES, require

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

HERE = Path(__file__).resolve().parent
TS_FSRS = NODE_MODULES / "ts-fsrs" / "dist" / "index.umd.js"
ROLLOVER = 4  # Anki's default: a new day starts at 4 a.m.
# Local times and how many answers the learner gives then (0: until nothing is due); never 2-4 a.m., which
# ANKI_TEST_MODE shifts. Leaving early leaves steps for the next session, at 00:30 too.
SESSIONS = ((7, 45, 6), (19, 30, 6), (23, 30, 3), (0, 30, 0))
# ts-fsrs's next_state for each answer, memory stored as Anki stores it (4 and 3 decimal places).
NODE_MEMORY = """
const fs = require("fs"), vm = require("vm");
const context = {};
vm.createContext(context);
vm.runInContext(fs.readFileSync(process.argv[process.argv.length - 1], "utf8"), context);
const F = context.FSRS, algorithm = new F.FSRSAlgorithm({ enable_fuzz: false, enable_short_term: true });
const memory = {}, out = [];
for (const [id, elapsed, grade] of JSON.parse(fs.readFileSync(0, "utf8"))) {
  const next = algorithm.next_state(memory[id] || null, elapsed, grade);
  const stability = Math.round(next.stability * 1e4) / 1e4, difficulty = Math.round(next.difficulty * 1e3) / 1e3;
  memory[id] = { stability, difficulty };
  out.push(memory[id]);
}
console.log(JSON.stringify(out));
"""


def key(guide_id: str) -> str:
    """The localStorage key of a guide's progress (format 2)."""
    return f"studyguide.2:{guide_id}"


def open_page(context: BrowserContext, path: Path, at: datetime) -> Page:
    """Open the page with the clock fixed at a moment."""
    page = context.new_page()
    page.clock.set_fixed_time(at)
    page.goto(path.as_uri())
    return page


def stored(page: Page, guide_id: str) -> dict[str, Any]:
    """The progress the page keeps in localStorage."""
    data: dict[str, Any] = json.loads(page.evaluate("k => localStorage.getItem(k)", key(guide_id)) or "null")
    return data


def store(page: Page, storage_key: str, data: Any) -> None:
    """Write an entry into the page's localStorage (text as it is, anything else as JSON)."""
    text = data if isinstance(data, str) else json.dumps(data)
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", [storage_key, text])


def settings(page: Page, guide_id: str, **values: Any) -> None:
    """Start a fresh progress with these settings (e.g. fuzz=False, newPerDay=5) and reload."""
    store(page, key(guide_id), {"format": 2, "guide": guide_id, "settings": values, "cards": {}, "log": []})
    page.reload()


def counts(page: Page) -> tuple[int, int, int]:
    """The status line's numbers: new, due now, done today."""
    status = page.locator("#study-status")
    return tuple(int(status.get_attribute(f"data-{n}") or "-1") for n in ("new", "due", "done"))  # type: ignore[return-value]


def current(page: Page) -> str | None:
    """The id of the question on screen, or None when the session is done."""
    if not page.locator("#study-card").is_visible():
        return None
    return page.get_attribute("#study-card", "data-id")


def reveal(page: Page) -> None:
    """Show the whole answer (the core answer first, when there is one)."""
    while page.locator("#study-reveal").is_visible():
        page.click("#study-reveal")


def answer(page: Page, grade: int, at: datetime) -> str:
    """Answer the question (or item) on screen at a moment; return its id."""
    question = current(page)
    assert question is not None
    page.clock.set_fixed_time(at)
    reveal(page)
    page.keyboard.press(str(grade))
    return question


def labels(page: Page) -> list[str]:
    """The four grade buttons' intervals, as shown."""
    found: list[str] = page.eval_on_selector_all("#study-grades .interval", "es => es.map(e => e.textContent)")
    return found


@dataclass
class Answer:
    """One answer as the learner gave it, what the page showed and what it stored."""

    question: str
    time: int  # milliseconds since the epoch
    grade: int
    labels: list[str]
    card: dict[str, Any]
    before: dict[str, Any] | None


@dataclass
class Learner:
    """A learner who grades by a fixed pseudo-random sequence: 15 % Again, 15 % Hard, 55 % Good, 15 % Easy."""

    seed: int = 7
    answers: list[Answer] = field(default_factory=list)

    def grade(self) -> int:
        """The next grade."""
        self.seed = (self.seed * 1103515245 + 12345) % 2**31
        roll = self.seed / 2**31
        return 1 if roll < 0.15 else 2 if roll < 0.3 else 3 if roll < 0.85 else 4

    def session(self, page: Page, guide_id: str, start: datetime, most: int = 0) -> None:
        """Study from `start`, `most` answers (0: until nothing is due), one each 40 s; each card shown 40 s before."""
        page.clock.set_fixed_time(start)
        page.reload()
        page.click("#study-start")
        at, gap = start, timedelta(seconds=40)
        for done in range(200):
            question = current(page)
            if question is None or done == most > 0:
                return
            at += gap
            page.clock.set_fixed_time(at)
            before = (stored(page, guide_id) or {"cards": {}})["cards"].get(question)
            reveal(page)
            shown, grade = labels(page), self.grade()
            page.keyboard.press(str(grade))
            card = stored(page, guide_id)["cards"][question]
            self.answers.append(Answer(question, int(at.timestamp() * 1000), grade, shown, card, before))
        raise AssertionError("a session never ended")


def moments(zone: str, first: datetime, days: int) -> Iterator[tuple[datetime, int]]:
    """Each session's start and length over `days` days in a time zone (00:30 is the next morning)."""
    tz = ZoneInfo(zone)
    for day in range(days):
        date = first.date() + timedelta(days=day)
        for hour, minute, most in SESSIONS:
            local = datetime(date.year, date.month, date.day, hour, minute, tzinfo=tz)
            yield (local + timedelta(days=1) if hour < ROLLOVER else local), most


def local_day(time: int, zone: str) -> int:
    """The learner's day of a moment: the local date of the moment 4 hours earlier (no DST change in these tests)."""
    return (datetime.fromtimestamp(time / 1000, ZoneInfo(zone)) - timedelta(hours=ROLLOVER)).date().toordinal()


def ts_fsrs_memory(answers: list[Answer], zone: str) -> list[dict[str, float]]:
    """Each answer's stability and difficulty from ts-fsrs's own next_state, elapsed days counted in local days."""
    node = shutil.which("node")
    require(node is not None and TS_FSRS.is_file(), "node and ts-fsrs (npm)")
    assert node is not None
    last: dict[str, int] = {}
    steps = []
    for a in answers:
        elapsed = local_day(a.time, zone) - local_day(last[a.question], zone) if a.question in last else 0
        last[a.question] = a.time
        steps.append([a.question, elapsed, a.grade])
    done = subprocess.run(
        [node, "-e", NODE_MEMORY, str(TS_FSRS)], input=json.dumps(steps), capture_output=True, text=True, check=True
    )
    result: list[dict[str, float]] = json.loads(done.stdout)
    return result


def faketime() -> str:
    """The path of libfaketime, or skip (fail in CI) when Debian's faketime is missing."""
    found = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))
    require(bool(found), "libfaketime (Debian package faketime)")
    return found[0]


def anki_replay(answers: list[Answer], zone: str, folder: Path) -> list[dict[str, Any]]:
    """Replay the answers in Anki with FSRS on (fuzz off: ANKI_TEST_MODE), each at its moment, in the zone."""
    clock = folder / "clock"
    clock.write_text("", encoding="utf-8")
    env = dict(os.environ, TZ=zone, ANKI_TEST_MODE="1", LD_PRELOAD=faketime(), FAKETIME_NO_CACHE="1")
    env["FAKETIME_TIMESTAMP_FILE"] = str(clock)
    plan = [{"q": a.question, "t": a.time, "g": a.grade} for a in answers]
    done = subprocess.run(
        [sys.executable, str(HERE / "anki_replay.py"), str(folder)],
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result


def anki_label(secs: float) -> str:
    """An interval as Anki writes it on a button (rslib scheduler/timespan.rs), with this page's English units."""
    minute, hour, day = 60, 3600, 86400
    year = 365 * day
    month = year / 12
    if secs < hour:
        text = f"{round(secs / minute)} min"
    elif secs < day:
        text = f"{round(secs / hour * 10) / 10:g} h"
    elif secs < month:
        text = f"{round(secs / day)} d"
    elif secs < year:
        text = f"{round(secs / month * 10) / 10:g} mo"
    else:
        text = f"{round(secs / year * 10) / 10:g} y"
    return f"<{text}" if secs < 20 * minute else text


def english(anki_text: str) -> str:
    """Anki's English label ('<10m', '3d', '1.2mo') in this page's units ('<10 min', '3 d', '1.2 mo')."""
    bare = anki_text.replace("\u2068", "").replace("\u2069", "")
    match = re.fullmatch(r"(<?)([\d.]+)(m|h|d|mo|y)", bare)
    assert match, anki_text
    unit = "min" if match.group(3) == "m" else match.group(3)
    return f"{match.group(1)}{match.group(2)} {unit}"
