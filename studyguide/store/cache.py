"""The one cache: data only (JSON, SVG text, PDF parts), in namespaces, keyed by code and environment, checked on read.

An entry is a file `<folder>/<namespace>/<key[:2]>/<key>`: a header line with the SHA-256 of the
payload, then the payload. Nothing read from the cache is ever executed or unpickled: a damaged or
planted entry fails its check (or the caller's parse) and is computed anew. Every key covers the
package's code, the Python version and every installed distribution (`versions.environment`), so
an upgrade of any library that could change an output's bytes misses the cache. Entries unused for
`MAX_AGE_DAYS` are removed, at most once a day, by the first build that writes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from studyguide.store import versions
from studyguide.store.files import write_cache

# A namespace is a short lowercase word: each stage or format names its own ("parse", "math", a format's name).
NAMESPACE = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
HEADER = b"studyguide-cache 1 sha256="
MAX_AGE_DAYS = 30
PRUNE_STAMP = ".pruned"
DAY = 86_400


def default_folder() -> Path:
    """Return $STUDYGUIDE_CACHE, else $XDG_CACHE_HOME/studyguide, else ~/.cache/studyguide."""
    env = os.environ.get("STUDYGUIDE_CACHE", "").strip()
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "studyguide"


def read_entry(path: Path) -> bytes | None:
    """Return an entry file's bytes, or None unless it is a regular file (a FIFO, a device or a link is never read).

    The file is opened without following a link and without waiting for a FIFO's writer, then refused
    unless it is a regular file, so nothing planted where an entry belongs can stop a build or fill memory.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        try:
            return handle.read() if stat.S_ISREG(os.fstat(fd).st_mode) else None
        except OSError:
            return None


def seal(payload: bytes) -> bytes:
    """Return an entry's bytes: the header with the payload's hash, then the payload."""
    return HEADER + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload


def unseal(data: bytes) -> bytes | None:
    """Return an entry's payload if its hash matches, else None."""
    head, newline, payload = data.partition(b"\n")
    if not newline or not head.startswith(HEADER):
        return None
    return payload if head[len(HEADER) :] == hashlib.sha256(payload).hexdigest().encode() else None


@dataclass
class Cache:
    """The cache folder of one build (None: a build that caches nothing), with hit and miss counts per namespace."""

    folder: Path | None
    hits: Counter[str] = field(default_factory=Counter)
    misses: Counter[str] = field(default_factory=Counter)
    written: bool = False

    def key(self, namespace: str, *parts: str | bytes) -> str:
        """Return the key of an entry: the namespace, the environment and the entry's own parts."""
        if not NAMESPACE.match(namespace):
            raise ValueError(f"unknown cache namespace '{namespace}'")
        digest = hashlib.sha256(f"{namespace}\0{versions.environment()}\0".encode())
        for part in parts:
            digest.update(part if isinstance(part, bytes) else part.encode())
            digest.update(b"\0")
        return digest.hexdigest()

    def path(self, namespace: str, key: str) -> Path | None:
        """Return the file that holds an entry."""
        return None if self.folder is None else self.folder / namespace / key[:2] / key

    def get(self, namespace: str, key: str) -> bytes | None:
        """Return an entry's payload, or None when it is missing or fails its check."""
        path = self.path(namespace, key)
        payload = None
        if path is not None:
            try:
                data = read_entry(path)
                payload = None if data is None else unseal(data)
                if payload is not None and time.time() - path.stat().st_mtime > DAY:
                    os.utime(path)  # still in use: not pruned
            except OSError:
                payload = None
        (self.hits if payload is not None else self.misses)[namespace] += 1
        return payload

    def has(self, namespace: str, key: str) -> bool:
        """Tell whether an entry is there (without reading or checking it), counting it as a hit."""
        path = self.path(namespace, key)
        found = path is not None and path.is_file()
        (self.hits if found else self.misses)[namespace] += found
        return found

    def put(self, namespace: str, key: str, payload: bytes) -> None:
        """Store an entry (atomically; a cache that cannot be written only costs time)."""
        path = self.path(namespace, key)
        if path is not None:
            if not self.written:
                self.written = True
                self.prune()
            write_cache(path, seal(payload))

    def get_json(self, namespace: str, key: str) -> object | None:
        """Return an entry as JSON data, or None (an entry that is not JSON counts as missing)."""
        payload = self.get(namespace, key)
        if payload is None:
            return None
        try:
            value: object = json.loads(payload)
            return value
        except ValueError:
            return None

    def put_json(self, namespace: str, key: str, value: object) -> None:
        """Store JSON data."""
        self.put(namespace, key, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())

    def summary(self) -> str:
        """Describe this build's use of the cache in one line."""
        used = [
            f"{ns} {self.hits[ns]} from cache" + (f", {self.misses[ns]} computed" if self.misses[ns] else "")
            for ns in sorted(set(self.hits) | set(self.misses))
            if self.hits[ns] or self.misses[ns]
        ]
        return f"cache: {'; '.join(used) or 'unused'} ({self.folder})"

    def prune(self, now: float | None = None, force: bool = False) -> int:
        """Remove entries unused for MAX_AGE_DAYS (at most once a day unless forced); return how many."""
        if self.folder is None:
            return 0
        now = time.time() if now is None else now
        stamp = self.folder / PRUNE_STAMP
        try:
            if not force and now - stamp.stat().st_mtime < DAY:
                return 0
        except OSError:
            pass
        removed = 0
        for path in self.files():
            try:
                if now - path.stat().st_mtime > MAX_AGE_DAYS * DAY:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        write_cache(stamp, b"")
        return removed

    def files(self) -> list[Path]:
        """Return every entry file of every namespace."""
        if self.folder is None:
            return []
        return [p for ns in self.namespaces() for p in sorted((self.folder / ns).rglob("*")) if p.is_file()]

    def namespaces(self) -> list[str]:
        """Return the namespaces that have a folder in the cache (only the cache's own folders: names it gives)."""
        if self.folder is None or not self.folder.is_dir():
            return []
        return sorted(p.name for p in self.folder.iterdir() if p.is_dir() and NAMESPACE.match(p.name))

    def usage(self) -> dict[str, tuple[int, int]]:
        """Return, per namespace, the number of entries and their bytes."""
        found = {ns: (0, 0) for ns in self.namespaces()}
        for path in self.files():
            ns = path.relative_to(self.folder or path).parts[0]
            count, size = found[ns]
            found[ns] = (count + 1, size + path.stat().st_size)
        return found

    def clear(self) -> None:
        """Remove every namespace's entries (only the cache's own folders, nothing else in the folder)."""
        import shutil

        if self.folder is not None:
            for ns in self.namespaces():
                shutil.rmtree(self.folder / ns, ignore_errors=True)
            (self.folder / PRUNE_STAMP).unlink(missing_ok=True)
