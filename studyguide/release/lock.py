"""The Anki release lock: per note a content hash and the modification time Anki compares.

Anki updates an existing note only when the incoming modification time is newer. The lock
(`content/anki.lock.json`, committed) records, at the last release, each note's content hash and
time, and the same for the note type. A build only reads it, so locked content builds the same
bytes; `build.py --release` rewrites it with the clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studyguide.errors import ContentError, Problem, counted
from studyguide.parse.reading import ReadError, read_bytes
from studyguide.stages import Entry, Lock, Snapshot

LOCK_FILE = "anki.lock.json"
LOCK_VERSION = 1
MAX_LOCK_BYTES = 16 * 1024 * 1024
MAX_TIME = 2**40  # seconds: far beyond any clock, within what Anki stores


@dataclass(frozen=True)
class Changes:
    """What differs between the content and the lock."""

    new: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
    renamed: tuple[tuple[str, str], ...]
    note_type: bool
    first: bool = False
    retyped: tuple[tuple[str, str, str], ...] = ()  # question id, its locked note type, its note type now
    cards_removed: tuple[str, ...] = ()  # cloze cards whose cloze number is gone: `question-id::c2`
    cards_added: tuple[str, ...] = ()  # new cloze numbers of notes already released
    note_types: tuple[str, ...] = ()  # the note types (other than the question's) whose templates or CSS changed

    def any(self) -> bool:
        """Return whether anything changed."""
        return bool(self.new or self.updated or self.removed or self.renamed or self.note_type or self.note_types)

    def summary(self) -> str:
        """Return a short, human report."""
        if self.first:
            every = "the one question is" if len(self.new) == 1 else f"all {len(self.new)} questions are"
            return f"{every} new: no release yet ({LOCK_FILE})"
        if not self.any():
            return "no question changed since the last release"
        parts = []
        for label, ids in (("new", self.new), ("updated", self.updated)):
            if ids:
                parts.append(f"{len(ids)} {label}: {_names(ids)}")
        if self.removed:
            parts.append(f"{len(self.removed)} removed (Anki keeps them; learners delete them): {_names(self.removed)}")
        for old, new in self.renamed:
            parts.append(f"section renamed '{old}' -> '{new}' (learners' cards stay in the old deck)")
        parts += self._cards()
        if self.note_type or self.note_types:
            kinds = ", ".join(KIND_NAMES[kind] for kind in self.note_types)
            parts.append("card templates/CSS changed" + (f" ({kinds})" if kinds and not self.note_type else ""))
        return "since the last release, " + "; ".join(parts)

    def _cards(self) -> list[str]:
        """Return what learners' cards go through that Anki does not say: new types, added and emptied cards."""
        parts = []
        for qid, old, new in self.retyped:
            parts.append(
                f"{qid} is now a {KIND_NAMES[new]} (was a {KIND_NAMES[old]}): Anki never changes a note's type, so"
                " learners get it as a new note and keep the old one, with its reviews, until they delete it"
            )
        if self.cards_added:
            parts.append(f"{counted(len(self.cards_added), 'cloze card')} added: {_names(self.cards_added)}")
        if self.cards_removed:
            parts.append(
                f"{counted(len(self.cards_removed), 'cloze card')} removed: {_names(self.cards_removed)}"
                " (Anki keeps each one, empty, until the learner runs Tools > Empty Cards: say so in the release notes)"
            )
        return parts


KIND_NAMES = {"question": "question", "cloze": "cloze note", "reversed": "question with a reversed card"}


def _names(ids: tuple[str, ...], limit: int = 8) -> str:
    """Return ids comma-separated, shortened after `limit`."""
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def empty_lock(guide_id: str, epoch: int) -> Lock:
    """Return the lock of a guide never released: everything is new, dated from `epoch`."""
    return Lock(guide=guide_id, released=epoch, note_type=None, notes={}, decks={})


def changes(snapshot: Snapshot, lock: Lock) -> Changes:
    """Compare the content with the lock."""
    new = tuple(i for i in snapshot.notes if i not in lock.notes)
    updated = tuple(i for i, h in snapshot.notes.items() if i in lock.notes and lock.notes[i].hash != h)
    removed = tuple(sorted(i for i in lock.notes if i not in snapshot.notes))
    renamed = tuple(
        (lock.decks[s], name) for s, name in snapshot.decks.items() if s in lock.decks and lock.decks[s] != name
    )
    note_type = lock.note_type is None or lock.note_type.hash != snapshot.note_type
    kinds = tuple(k for k, h in snapshot.note_types.items() if k not in lock.note_types or lock.note_types[k].hash != h)
    retyped: list[tuple[str, str, str]] = []
    added: list[str] = []
    dropped: list[str] = []
    for qid in snapshot.notes:
        old, (kind, cards) = lock.notes.get(qid), snapshot.shapes.get(qid, ("question", ()))
        if old is not None and old.kind != kind:
            retyped.append((qid, old.kind, kind))
        elif old is not None:
            added += [f"{qid}::c{n}" for n in cards if n not in old.cards]
            dropped += [f"{qid}::c{n}" for n in old.cards if n not in cards]
    first = lock.note_type is None
    return Changes(
        new, updated, removed, renamed, note_type, first, tuple(retyped), tuple(dropped), tuple(added), kinds
    )


def release(snapshot: Snapshot, lock: Lock, now: int) -> Lock:
    """Return the lock after a release at `now`: changed and new entries take the new time."""
    if not changes(snapshot, lock).any():
        return lock
    released = max(int(now), lock.released + 2)

    def entry(old: Entry | None, current: str, shape: tuple[str, tuple[int, ...]] = ("question", ())) -> Entry:
        return old if old is not None and old.hash == current else Entry(current, released, *shape)

    # A note type no longer used keeps its entry: used again, it must still be newer than learners' copies.
    note_types = {**lock.note_types, **{k: entry(lock.note_types.get(k), h) for k, h in snapshot.note_types.items()}}
    return Lock(
        guide=lock.guide,
        released=released,
        note_type=entry(lock.note_type, snapshot.note_type),
        notes={
            i: entry(lock.notes.get(i), h, snapshot.shapes.get(i, ("question", ()))) for i, h in snapshot.notes.items()
        },
        decks=dict(snapshot.decks),
        note_types=dict(sorted(note_types.items())),
    )


def dump(lock: Lock) -> str:
    """Return the lock as sorted, indented JSON, one entry a line, stable for review."""
    notes = {i: _entry_data(e) for i, e in sorted(lock.notes.items())}
    note_type = _entry_data(lock.note_type) if lock.note_type else None
    head = {"version": LOCK_VERSION, "guide": lock.guide, "released": lock.released, "note_type": note_type}
    if lock.note_types:  # only a guide with clozes or reversed questions has them: others keep their lock's bytes
        head["note_types"] = {kind: _entry_data(e) for kind, e in sorted(lock.note_types.items())}
    lines = ["{"]
    for key, value in head.items():
        lines.append(f"  {json.dumps(key)}: {json.dumps(value, sort_keys=True)},")
    lines.append('  "decks": {')
    lines += _rows(sorted(lock.decks.items()))
    lines.append("  },")
    lines.append('  "notes": {')
    lines += _rows(list(notes.items()))
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _entry_data(entry: Entry) -> dict[str, object]:
    """Return a lock entry as JSON-able data: hash and time, and a note's type and cards unless it is a question."""
    data: dict[str, object] = {"hash": entry.hash, "mod": entry.mod}
    if entry.kind != "question":
        data["kind"] = entry.kind
    if entry.cards:
        data["cards"] = list(entry.cards)
    return data


def _rows(items: list[tuple[str, object]]) -> list[str]:
    def text(value: object) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)

    rows = [f"    {text(key)}: {text(value)}" for key, value in items]
    return [row + ("," if n < len(rows) - 1 else "") for n, row in enumerate(rows)]


def read(path: Path, guide_id: str, epoch: int) -> Lock:
    """Read the lock; a missing file is an empty lock, a malformed one a ContentError at its line."""
    if not path.exists() and not path.is_symlink():
        return empty_lock(guide_id, epoch)
    try:
        text = read_bytes(path, path.parent, MAX_LOCK_BYTES).decode("utf-8")
        data = json.loads(text, parse_constant=_refuse_constant)
    except ReadError as exc:
        raise ContentError([Problem(path, 0, f"the Anki lock {exc}")]) from None
    except UnicodeDecodeError:
        raise ContentError([Problem(path, 1, "the Anki lock is not UTF-8")]) from None
    except json.JSONDecodeError as exc:
        raise ContentError([Problem(path, exc.lineno, f"the Anki lock is not valid JSON: {exc.msg}")]) from None
    except ValueError as exc:
        raise ContentError([Problem(path, 1, f"the Anki lock is not valid JSON: {exc}")]) from None
    try:
        return _parse(data, guide_id)
    except (KeyError, TypeError, ValueError) as exc:
        message = f"malformed Anki lock ({exc}); restore it from git"
        raise ContentError([Problem(path, _line(text, exc), message)]) from None


def _refuse_constant(name: str) -> object:
    """Refuse NaN and Infinity, which JSON does not have."""
    raise ValueError(f"{name} is not a JSON number")


def _line(text: str, exc: Exception) -> int:
    """Return the line of the first key a lock error names (1 when it names none)."""
    for word in str(exc).split("'")[1::2]:
        at = text.find(f'"{word}"')
        if at >= 0:
            return text.count("\n", 0, at) + 1
    return 1


def _integer(value: object, what: str) -> int:
    """Return a lock's time as an int, refusing other types and times no clock gives."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < MAX_TIME:
        raise TypeError(f"'{what}' must be a whole number of seconds")
    return value


def _mapping(value: object, what: str) -> dict[str, Any]:
    """Return a lock's object, refusing other types."""
    if not isinstance(value, dict):
        raise TypeError(f"'{what}' must be an object")
    return value


def _parse(raw: object, guide_id: str) -> Lock:
    data = _mapping(raw, "lock")
    if data["version"] != LOCK_VERSION:
        raise ValueError(f"unknown 'version' {data['version']!r}")
    if data["guide"] != guide_id:
        raise ValueError(f"it belongs to 'guide' {data['guide']!r}, not {guide_id!r}")

    note_type = _entry(data["note_type"], "note_type") if data["note_type"] is not None else None
    note_types = {str(k): _entry(v, str(k)) for k, v in _mapping(data.get("note_types", {}), "note_types").items()}
    decks = _mapping(data["decks"], "decks")
    if not all(isinstance(v, str) for v in decks.values()):
        raise TypeError("'decks' must map section ids to names")
    notes = {str(k): _entry(v, str(k)) for k, v in _mapping(data["notes"], "notes").items()}
    return Lock(guide_id, _integer(data["released"], "released"), note_type, notes, dict(decks), note_types)


def _entry(value: object, what: str) -> Entry:
    """Return one locked entry: hash and time, and a note's type and cloze numbers when it has them."""
    item = _mapping(value, what)
    if not isinstance(item["hash"], str):
        raise TypeError(f"'{what}' needs a string 'hash'")
    kind, cards = item.get("kind", "question"), item.get("cards", [])
    if kind not in KIND_NAMES:
        raise ValueError(f"'{what}' has an unknown 'kind' {kind!r}")
    if not isinstance(cards, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in cards):
        raise TypeError(f"'{what}' needs 'cards' as a list of cloze numbers")
    return Entry(item["hash"], _integer(item["mod"], what), kind, tuple(cards))
