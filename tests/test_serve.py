"""`studyguide serve`: the page on 127.0.0.1, rebuilt and reloaded in a real browser on every save, errors shown."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from studyguide.author import live
from studyguide.errors import Problem
from studyguide.renderers.page import script_hash

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


class Served:
    """A `studyguide serve` process on a free port, and what it printed."""

    def __init__(self, project: Path, *options: str) -> None:
        self.project = project
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--port", "0", *options],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
        assert found, first
        self.port = int(found.group(1))
        self.url = f"http://127.0.0.1:{self.port}"

    def get(self, path: str) -> tuple[int, str, bytes]:
        """Return the status, type and body of a GET."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as reply:
                return reply.status, reply.headers["Content-Type"], reply.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read()

    def until(self, path: str, holds: Callable[[str], bool], seconds: float = 60) -> str:
        """Return the text at `path` once `holds` is true of it (fail after `seconds`)."""
        deadline = time.monotonic() + seconds
        while True:
            status, _, body = self.get(path)
            text = body.decode("utf-8", "replace")
            if status == 200 and holds(text):
                return text
            assert time.monotonic() < deadline, text[:2000]
            time.sleep(0.2)

    def stop(self) -> tuple[int, str, str]:
        """Press Ctrl-C (SIGINT to the whole process group, as a terminal does); return code, stdout, stderr."""
        os.killpg(self.process.pid, signal.SIGINT)
        out, err = self.process.communicate(timeout=30)
        return self.process.returncode, out, err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A guide laid out as `studyguide new` lays it out: content/ (the valid fixture), dist/ beside it."""
    shutil.copytree(FIXTURES / "valid", tmp_path / "guide" / "content")
    return tmp_path / "guide"


@pytest.fixture
def served(project: Path) -> Iterator[Served]:
    server = Served(project, "--format", "html,anki")
    yield server
    if server.process.poll() is None:
        server.stop()


def test_the_served_page_reloads_on_save_and_shows_errors_until_fixed(project: Path, served: Served) -> None:
    page = served.until("/", lambda text: "What is a fixture?" in text)
    built = (project / "dist" / "fixture-guide.html").read_text(encoding="utf-8")
    assert "EventSource" in page and "EventSource" not in built  # only the served copy reloads
    assert "connect-src 'self'" in page.replace("&#x27;", "'") and "connect-src" not in built
    section = project / "content" / "01-basics.md"
    section.write_text(section.read_text(encoding="utf-8").replace("What is a fixture?", "What is a seen fixture?"))
    served.until("/", lambda text: "What is a seen fixture?" in text, seconds=15)
    section.write_text(section.read_text(encoding="utf-8").replace("{#fixture}", "{#Broken Id}"))
    broken = served.until("/", lambda text: "studyguide-problems" in text, seconds=15)
    assert re.search(r"01-basics\.md:3: malformed id &#x27;\{#Broken Id\}&#x27;", broken), broken[:3000]
    assert "What is a seen fixture?" in broken  # the last good page stays below the list
    section.write_text(section.read_text(encoding="utf-8").replace("{#Broken Id}", "{#fixture}"))
    served.until("/", lambda text: "studyguide-problems" not in text, seconds=15)
    code, out, err = served.stop()
    assert code == 0 and "Traceback" not in err and "KeyboardInterrupt" not in err, err


def test_only_the_outputs_are_served_on_the_loopback_address(project: Path, served: Served) -> None:
    served.until("/", lambda text: "What is a fixture?" in text)
    served.until("/cards", lambda text: "sg-question" in text)
    status, kind, deck = served.get("/fixture-guide.apkg")
    assert status == 200 and kind == "application/octet-stream" and deck[:2] == b"PK"
    (project / "dist" / "secret.txt").write_text("not an output")
    for path in ("/secret.txt", "/../content/guide.toml", "/content/guide.toml", "/%2e%2e/content/guide.toml"):
        assert served.get(path)[0] == 404, path
    with socket.socket() as other:  # nothing listens on another address of this machine
        address = socket.gethostbyname(socket.gethostname())
        if not address.startswith("127."):
            assert other.connect_ex((address, served.port)) != 0


def test_cards_show_front_and_back_with_the_card_style(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "rich", tmp_path / "content")
    server = Served(tmp_path, "--format", "anki")
    try:
        cards = server.until("/cards", lambda text: "sg-question" in text)
    finally:
        server.stop()
    assert cards.count('<div class="card"') == 2 * 5  # five questions, front and back each
    assert cards.count('<hr id="answer">') == 5 and ".sg-core" in cards  # the back template and the cards' CSS
    assert 'class="math-inline"' in cards and "\\(" not in cards  # formulas drawn, as MathJax draws them in Anki
    assert 'src="data:image/png;base64,' in cards  # the deck's media, shown


def test_a_served_page_keeps_its_own_script_and_adds_only_the_reload_one() -> None:
    page = (
        '<html><head><meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;; '
        'script-src &#x27;sha256-abc=&#x27;; style-src &#x27;unsafe-inline&#x27;"></head><body><p>x</p></body></html>'
    )
    copy = live.served(page, 7, [Problem(Path("a.md"), 3, "bad <b>")], [("/", "page")])
    policy = re.search(r'content="([^"]*)"', copy)
    assert policy is not None
    script = re.search(r"<script>(.*?)</script>", copy, re.S)
    assert script is not None
    text = policy.group(1).replace("&#x27;", "'")
    assert f"script-src 'sha256-abc=' {script_hash(script.group(1))}" in text
    assert text.endswith("connect-src 'self'") and "a.md:3: bad &lt;b&gt;" in copy


@pytest.fixture
def browser() -> Iterator[object]:
    from browser_tools import launch

    yield from launch()


def test_a_browser_reloads_the_page_on_save_without_a_console_error(project: Path, browser: object) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    server = Served(project, "--format", "html")
    try:
        server.until("/", lambda text: "What is a fixture?" in text)
        context = browser.new_context()
        errors: list[str] = []
        context.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        context.on("weberror", lambda e: errors.append(str(e.error)))
        page = context.new_page()
        page.goto(server.url + "/")
        page.wait_for_selector("details", state="attached")  # selectors: the page's policy forbids eval
        section = project / "content" / "01-basics.md"
        section.write_text(section.read_text(encoding="utf-8").replace("What is a fixture?", "Reloaded title?"))
        page.get_by_text("Reloaded title?").first.wait_for(timeout=20_000)
        section.write_text(section.read_text(encoding="utf-8").replace("{#fixture}", "{#Broken Id}"))
        page.wait_for_selector("#studyguide-problems", timeout=20_000)
        assert "01-basics.md:3" in page.inner_text("#studyguide-problems")
        page.screenshot(path="/tmp/served-error.png")
        assert errors == []
        context.close()
    finally:
        code, _, err = server.stop()
    assert code == 0 and "Traceback" not in err
