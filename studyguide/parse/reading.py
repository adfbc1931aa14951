"""Reading content files safely: inside the content folder, regular files only, limits enforced while reading."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import tomllib
import unicodedata
from collections.abc import Callable
from pathlib import Path

from studyguide import i18n
from studyguide.errors import Problem
from studyguide.model import Meta

META_FILE = "guide.toml"
META_KEYS = ("id", "title", "description", "author", "source", "language", "version", "date")
LABELS = "labels"  # the optional table of the guide's own words for the outputs' labels
OPTIONAL_META = ("author",)  # without it the cover names no one
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_GUIDE_ID = 64  # the id names the output files (with "-letter-quiz.pdf") and the Anki deck's notes
MAX_META_CHARS = 1_000


class ReadError(Exception):
    """A content file that must not or cannot be read."""


def resolved(path: Path) -> Path | None:
    """Return a path with every link in it followed, or None when its links loop."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # a symlink loop: Python 3.11 raises RuntimeError, later ones OSError
        return None


def inside(path: Path, root: Path) -> bool:
    """Tell whether a path, with every link in it followed, stays inside the folder (a loop never does)."""
    found, top = resolved(path), resolved(root)
    return found is not None and top is not None and found.is_relative_to(top)


def read_bytes(path: Path, root: Path, limit: int) -> bytes:
    """Return a file's bytes; refuse links that leave `root`, anything but a regular file, and more than `limit` bytes.

    The size is enforced while reading (a device or a growing file never fills memory); a FIFO is
    opened without waiting for a writer and refused.
    """
    if path.is_symlink() and resolved(path) is None:
        raise ReadError("is a link that leads back to itself (a loop)")
    if path.is_symlink() and not inside(path, root):
        raise ReadError("is a link to a file outside the content folder")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise ReadError(f"cannot be read: {exc.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
    except OSError as exc:
        os.close(fd)
        raise ReadError(f"cannot be read: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise ReadError("is a folder, not a file" if stat.S_ISDIR(mode) else "is not a regular file")
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise ReadError(f"cannot be read: {exc.strerror}") from None
    if len(data) > limit:
        raise ReadError(f"is larger than the limit of {limit} bytes")
    return data


def read_text(path: Path, root: Path, problems: list[Problem]) -> str | None:
    """Read a content file as UTF-8 text, reporting unsafe, empty, binary and undecodable files."""
    try:
        data = read_bytes(path, root, MAX_FILE_BYTES)
    except ReadError as exc:
        problems.append(Problem(path, 0, f"file {exc}"))
        return None
    return decode(data, path, problems)


def decode(data: bytes, path: Path, problems: list[Problem]) -> str | None:
    """Return a content file's bytes as text with plain newlines, reporting empty, binary and undecodable files."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        problems.append(Problem(path, 1, "file is empty"))
        return None
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        problems.append(Problem(path, line, "binary file (NUL byte): content files must be UTF-8 text"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.append(Problem(path, line, f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"))
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def control_character(text: str, allowed: str = "") -> str | None:
    """Return the first control character in a text (other than those allowed), or None."""
    return next((c for c in text if unicodedata.category(c) == "Cc" and c not in allowed), None)


def load_meta(root: Path, problems: list[Problem]) -> Meta:
    """Read guide.toml into Meta, reporting every problem at its line."""
    path = root / META_FILE
    empty = Meta(**dict.fromkeys(META_KEYS, ""), labels=())
    if not path.exists() and not path.is_symlink():  # a folder, a FIFO or a loop is read, and refused
        problems.append(Problem(path, 0, f"missing {META_FILE} with the guide's metadata"))
        return empty
    text = read_text(path, root, problems)
    if text is None:
        return empty
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        problems.append(Problem(path, int(match.group(1)) if match else 1, f"invalid TOML: {exc}"))
        return empty
    lines = text.split("\n")

    def line_of(key: str) -> int:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        return next((n for n, line in enumerate(lines, start=1) if pattern.match(line)), 1)

    for key in data:
        if key not in (*META_KEYS, LABELS):
            known = ", ".join(META_KEYS)
            problems.append(Problem(path, line_of(key), f"unknown metadata key '{key}' (known: {known})"))
    values = {key: _meta_value(key, data.get(key), path, line_of(key), problems) for key in META_KEYS}
    _check_meta(values, path, line_of, problems)
    labels = _labels(data.get(LABELS, {}), path, lines, problems)
    return Meta(**values, labels=labels)


def _meta_value(key: str, value: object, path: Path, line: int, problems: list[Problem]) -> str:
    """Return one metadata value, stripped ('' with a problem when it is missing or not usable text)."""
    if value is None:
        if key not in OPTIONAL_META:
            problems.append(Problem(path, 1, f"missing metadata key '{key}'"))
        return ""
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(path, line, f"metadata key '{key}' must be a non-empty string"))
        return ""
    if len(value) > MAX_META_CHARS:
        problems.append(Problem(path, line, f"metadata key '{key}' is longer than the limit of {MAX_META_CHARS}"))
        return ""
    bad = control_character(value)
    if bad is not None:
        problems.append(Problem(path, line, f"metadata key '{key}' holds the control character U+{ord(bad):04X}"))
        return ""
    return value.strip()


def _check_meta(values: dict[str, str], path: Path, line_of: Callable[[str], int], problems: list[Problem]) -> None:
    """Check the guide id's form and length and that the date is a real day."""
    guide_id, date = values["id"], values["date"]
    if guide_id and not SLUG.match(guide_id):
        message = f"malformed guide id '{guide_id}': use lowercase letters, digits and hyphens"
        problems.append(Problem(path, line_of("id"), message))
    elif len(guide_id) > MAX_GUIDE_ID:
        message = f"guide id of {len(guide_id)} characters: more than the limit of {MAX_GUIDE_ID}"
        problems.append(Problem(path, line_of("id"), message))
    if date and not DATE.match(date):
        problems.append(Problem(path, line_of("date"), f"date '{date}' must be YYYY-MM-DD"))
    elif date:
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            problems.append(Problem(path, line_of("date"), f"date '{date}' is not a day of the calendar"))
    if values["language"]:
        error, warning = i18n.problems(values["language"])
        if error or warning:
            line = line_of("language")
            problems.append(Problem(path, line, error) if error else Problem(path, line, str(warning), "warning"))


def _labels(table: object, path: Path, lines: list[str], problems: list[Problem]) -> tuple[tuple[str, str], ...]:
    """Return the guide's own words for the outputs' labels (`[labels]`), reporting each bad entry at its line."""
    start = next((n for n, line in enumerate(lines, start=1) if re.match(rf"^\s*\[\s*{LABELS}\s*\]", line)), 1)
    if not isinstance(table, dict):
        problems.append(Problem(path, start, f"'{LABELS}' must be a table of words: [{LABELS}] then key = \"text\""))
        return ()

    def line_of(key: str) -> int:
        pattern = re.compile(rf"^\s*(?:{LABELS}\.)?[\"']?{re.escape(key)}[\"']?\s*=")
        return next((n for n, line in enumerate(lines, start=1) if n >= start and pattern.match(line)), start)

    labels = []
    for key, value in table.items():
        text = _meta_value(f"{LABELS}.{key}", value, path, line_of(key), problems)
        message = i18n.label_problem(key, text) if text else None
        if message:
            problems.append(Problem(path, line_of(key), message))
        elif text:
            labels.append((key, text))
    return tuple(sorted(labels))
