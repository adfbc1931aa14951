"""Laid-out parts kept in the cache, so a build after an edit lays out again only the parts that changed.

A part's entry is keyed by everything WeasyPrint is given: the part's print HTML (its sections,
question numbers, stylesheet and page numbers are all in it), whether it is tagged, the guide id
(the PDF's identifier), the installed fonts, and, through `Cache.key`, the code and every library.
The files the layout fetched (images, template assets) are recorded in the entry with their hashes
and checked on every read, as `make` checks prerequisites. The entry is data only: a JSON line
(pages, anchors, stand-ins, hashes) followed by the part's PDF bytes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from studyguide.renderers.pdf.inert import pdf_inert
from studyguide.renderers.pdf.join import Laid
from studyguide.store.cache import Cache

NAMESPACE = "pdf"


@functools.cache
def fonts() -> str:
    """Return a hash of the installed font files (path, size, time): a new or changed font changes the layout.

    Fontconfig is not asked (WeasyPrint's own bindings are private); its standard folders are
    listed instead, with its configuration, which decides how they are chosen.
    """
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    folders = ["/etc/fonts", "/usr/share/fonts", "/usr/local/share/fonts", f"{data}/fonts", str(Path.home() / ".fonts")]
    digest = hashlib.sha256()
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def file_hash(path: Path) -> str:
    """Return the SHA-256 of a file's bytes ('' if it cannot be read)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


class Parts:
    """The cache's laid-out parts of one build (a cache without a folder keeps nothing)."""

    def __init__(self, cache: Cache, guide_id: str) -> None:
        self.cache = cache
        self.guide_id = guide_id

    def key(self, html: str, tagged: bool) -> str:
        """Return the entry key of one layout."""
        return self.cache.key(NAMESPACE, html, "tagged" if tagged else "untagged", self.guide_id, fonts())

    def get(self, key: str, path: str | None) -> Laid | None:
        """Return a cached layout, if the entry is whole and its files unchanged; its PDF written to `path` if given."""
        payload = self.cache.get(NAMESPACE, key) if self.cache.folder is not None else None
        if payload is None:
            return None
        head, _, pdf = payload.partition(b"\n")
        try:
            meta = json.loads(head)
            read = {Path(name): digest for name, digest in meta["read"].items()}
            laid = Laid(
                int(meta["pages"]),
                {str(k): int(v) for k, v in meta["anchors"].items()},
                frozenset(str(x) for x in meta["elsewhere"]),
                path,
                bool(meta["nested"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        if (path is not None and not pdf.startswith(b"%PDF-")) or any(file_hash(p) != h for p, h in read.items()):
            return None
        if path is not None and not pdf_inert(pdf):  # planted, not damaged: the checksum was written with it
            return None
        if path is not None:
            Path(path).write_bytes(pdf)
        return laid

    def put(self, key: str, laid: Laid, read: Iterable[Path]) -> None:
        """Keep a part just laid out (and its PDF, if written to `laid.path`), with the files its layout read."""
        if self.cache.folder is None:
            return
        meta = {
            "pages": laid.pages,
            "anchors": laid.anchors,
            "elsewhere": sorted(laid.elsewhere),
            "nested": laid.nested,
            "read": {str(p): file_hash(p) for p in sorted(set(read))},
        }
        head = json.dumps(meta, ensure_ascii=True, separators=(",", ":")).encode()
        pdf = Path(laid.path).read_bytes() if laid.path is not None else b""  # a layout only counted
        self.cache.put(NAMESPACE, key, head + b"\n" + pdf)
