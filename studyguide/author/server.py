"""The local server of `studyguide serve`: on 127.0.0.1 only, the outputs of the output folder and nothing else.

`/` is the page (its served copy), `/cards` the card previews, `/<id>.pdf` and `/<id>.apkg` the
files, `/events` a stream of server-sent events telling open pages the build's version: a page
reloads when it moves on. The standard library's threading server is enough for one author's
browser; each event stream holds one thread while it is open.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable
from pathlib import Path

from studyguide.author import live
from studyguide.build.pipeline import Outcome, Request, load
from studyguide.errors import ContentError, Problem
from studyguide.renderers.base import messages
from studyguide.store.cache import Cache

KEEPALIVE = 15.0  # seconds between comments on an idle event stream, so a closed tab is noticed
TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf", "anki": "application/octet-stream"}


class Preview:
    """What the server shows: the outputs' paths, the last build's problems, and the version pages reload on."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.paths: dict[str, Path] = {}
        self.problems: tuple[Problem, ...] = ()
        self.version = 0
        self.changed = threading.Condition()
        self.closing = False
        self.cards: tuple[int, str] | None = None  # (version, page) of the last card preview made

    def bump(self) -> None:
        """Move the version on: every open page reloads."""
        with self.changed:
            self.version += 1
            self.changed.notify_all()

    def output(self, outcome: Outcome) -> None:
        """Hear one output of a build: a page written moves the version on at once (the PDF may still be laid out)."""
        if outcome.status == "failed":
            return
        self.paths[outcome.name] = outcome.path
        if self.problems:  # an output only comes out of valid content
            self.problems = ()
            self.bump()
        elif outcome.status == "written":
            self.bump()

    def built(self, error: ContentError | None) -> None:
        """Hear the end of a build: its content problems are shown until a build goes through."""
        problems = tuple(error.problems) if error else ()
        if problems != self.problems:
            self.problems = problems
            self.bump()

    def close(self) -> None:
        """End every event stream."""
        with self.changed:
            self.closing = True
            self.changed.notify_all()

    def links(self) -> list[tuple[str, str]]:
        """Return the links of the bar on served pages: the page, the cards, the PDF, the deck."""
        found = [("/", "page"), ("/cards", "cards")]
        found += [
            (f"/{self.paths[name].name}", text)
            for name, text in (("pdf", "PDF"), ("anki", "deck"))
            if name in self.paths
        ]
        return found

    def page(self) -> bytes:
        """Return the served copy of the page (or, before a first good build, the problems or a wait)."""
        path = self.paths.get("html")
        if path is None or not path.is_file():
            return live.waiting(self.version, self.problems).encode("utf-8")
        text = path.read_text(encoding="utf-8")
        return live.served(text, self.version, self.problems, self.links()).encode("utf-8")

    def card_page(self) -> bytes:
        """Return the card previews of the content as it is now (made once per version)."""
        version = self.version
        if self.cards is None or self.cards[0] != version:
            self.cards = (version, self._cards(version))
        return self.cards[1].encode("utf-8")

    def _cards(self, version: int) -> str:
        from studyguide.author.cards import previews

        request = self.request
        try:
            job = load(request.content, request.options, Cache(request.cache))
        except ContentError as exc:
            return live.standalone("cards", live.problems_html(exc.problems), version)
        body, css = previews(job)
        words = messages(job.guide.meta)
        bar = live.bar_html(self.links())
        return live.standalone(
            f"{job.guide.meta.title}: cards", body + bar, version, words.language, words.direction, css
        )

    def file(self, name: str) -> tuple[Path, str] | None:
        """Return the output file a path names, and its type: only the PDF and the deck of the last build."""
        for kind in ("pdf", "anki"):
            path = self.paths.get(kind)
            if path is not None and name == path.name and path.is_file():
                return path, TYPES[kind]
        return None

    def events(self, send: Callable[[str], None]) -> None:
        """Send the version now and each time it moves on, until the server closes (sent outside the lock)."""
        seen = None
        while True:
            with self.changed:
                if seen == self.version and not self.closing:
                    self.changed.wait(KEEPALIVE)
                if self.closing:
                    return
                current = self.version
            send(f"data: {current}\n\n" if current != seen else ": still here\n\n")
            seen = current


def handler(preview: Preview) -> type[http.server.BaseHTTPRequestHandler]:
    """Return the request handler class for one preview."""

    class Handler(http.server.BaseHTTPRequestHandler):
        """GET only: the page, the cards, the output files, the event stream."""

        server_version = "studyguide"

        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            path = self.path.split("?", 1)[0]
            if path == "/events":
                self.stream()
            elif path in ("/", "/index.html", f"/{preview.paths.get('html', Path('-')).name}"):
                self.reply(preview.page(), TYPES["html"])
            elif path == "/cards":
                self.reply(preview.card_page(), TYPES["html"])
            elif (found := preview.file(path[1:])) is not None:
                self.reply(found[0].read_bytes(), found[1])
            else:
                self.reply(b"not found", "text/plain; charset=utf-8", 404)

        def reply(self, data: bytes, kind: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def stream(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()

            def send(text: str) -> None:
                self.wfile.write(text.encode("utf-8"))
                self.wfile.flush()

            try:
                preview.events(send)
            except OSError:  # the page was closed or reloaded
                pass

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the standard library's name)
            """Log nothing: the terminal shows the builds."""

    return Handler


class Server(http.server.ThreadingHTTPServer):
    """The threading server, its request threads daemons (an open event stream never holds up Ctrl-C)."""

    daemon_threads = True


def start(preview: Preview, port: int) -> Server:
    """Bind 127.0.0.1:port (0: any free port) and serve in a thread; raise OSError if the port is taken."""
    server = Server(("127.0.0.1", port), handler(preview))
    threading.Thread(target=server.serve_forever, name="studyguide-serve", daemon=True).start()
    return server
