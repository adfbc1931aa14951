"""What the printed formats share: WeasyPrint with a fetcher that loads only allowed files, never the network."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse


class SafeFetcher:
    """A WeasyPrint URL fetcher policy: files inside the allowed folders and data: URLs, never the network."""

    def __init__(self, roots: list[Path]) -> None:
        self.roots = [root.resolve() for root in roots]
        self.refused: list[str] = []
        self.read: list[Path] = []  # every file given to WeasyPrint (a cached part is checked against them)

    def allows(self, url: str) -> Path | None:
        """Return the local file a URL names, if it is inside an allowed folder."""
        parsed = urlparse(url)
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parsed.path)).resolve()
        if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
            return path
        return None


def make_fetcher(roots: list[Path]) -> tuple[SafeFetcher, object]:
    """Return the policy and a WeasyPrint URLFetcher that applies it; a refused URL stops the build."""
    import urllib.request

    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    policy = SafeFetcher(roots)

    class Fetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            if url.startswith("data:"):  # inline data: decoded here, nothing is opened
                with urllib.request.DataHandler().data_open(urllib.request.Request(url)) as response:
                    return URLFetcherResponse(url, body=response.read(), headers=dict(response.headers))
            path = policy.allows(url)
            if path is None:
                policy.refused.append(url)
                raise FatalURLFetchingError(f"refused to load {url}")
            policy.read.append(path)
            return URLFetcherResponse(url, body=path.read_bytes())

    return policy, Fetcher()


class RefusedResource(RuntimeError):
    """The print templates asked for a file outside the content and template folders, or for a URL."""


def refusal(url: str, folder: Path) -> str:
    """Name the template file (in a format's template folder) and line that refers to a refused URL."""
    tail = urlparse(url).path.rsplit("/", 1)[-1] or url
    for path in sorted(folder.glob("*")):
        lines = path.read_text(encoding="utf-8", errors="replace").split("\n") if path.is_file() else []
        for number, line in enumerate(lines, start=1):
            if url in line or (tail and tail in line):
                return f"{path}:{number}: refused to load '{url}': only files inside the content and template folders"
    return f"{folder}: refused to load '{url}': only files inside the content and template folders"


@contextlib.contextmanager
def fonts_dated(epoch: int) -> Iterator[None]:
    """While a PDF is written, date each font subset fontTools saves at `epoch` (the outputs' one date), not now.

    WeasyPrint subsets with HarfBuzz, and falls back to fontTools for the fonts HarfBuzz cannot subset
    (Noto Color Emoji's bitmap tables); fontTools stamps the subset's `head.modified` with the time of
    the build, so a guide with an emoji wrote different PDF bytes on every build. fontTools reads
    SOURCE_DATE_EPOCH for that time, but setting it would change the whole process's environment: the
    `head` table's own reference to its clock is replaced instead, and restored after.
    """
    from fontTools.misc.timeTools import epoch_diff
    from fontTools.ttLib.tables import _h_e_a_d

    original = _h_e_a_d.timestampNow
    _h_e_a_d.timestampNow = lambda: epoch - epoch_diff
    try:
        yield
    finally:
        _h_e_a_d.timestampNow = original
