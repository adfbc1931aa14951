"""A PDF file written object by object as the join goes, in compressed object streams with a cross-reference stream.

Hand-written because every PDF library at hand (qpdf through pikepdf, pypdf, pydyf) keeps the whole
document in memory until it is saved: a joined guide of 4,200 questions holds over half a million
objects (mostly structure elements), and qpdf took more memory to join them than WeasyPrint to lay
out a part. Here each object goes to the file (or to the object stream being filled) as soon as it
is given; what stays in memory is three numbers per object for the cross-reference stream.
Object bodies are PDF syntax already (pikepdf's `unparse`, references renumbered by the caller).
"""

from __future__ import annotations

import re
import zlib
from array import array
from collections.abc import Callable
from decimal import Decimal
from typing import BinaryIO

OBJECTS_PER_STREAM = 200  # non-stream objects packed into one compressed object stream
COMPRESSION = 6  # zlib's default level, as qpdf's

# A literal string (pikepdf escapes every parenthesis and backslash in one), a hex string, or a reference.
TOKEN = re.compile(rb"\((?:[^\\()]|\\.)*\)|<[0-9A-Fa-f]*>|(\d+) (\d+) R", re.DOTALL)


def renumber(data: bytes, number: Callable[[int], int]) -> bytes:
    """Return PDF syntax with every reference `n g R` replaced by `number(n) 0 R` (strings left alone)."""

    def replace(match: re.Match[bytes]) -> bytes:
        if match[1] is None:
            return match[0]
        return b"%d 0 R" % number(int(match[1]))

    return TOKEN.sub(replace, data)


def number_syntax(value: object) -> bytes:
    """Return a number as pikepdf reads it (int or Decimal) in PDF syntax."""
    if isinstance(value, Decimal):
        return format(value, "f").encode()
    if isinstance(value, int):
        return b"%d" % value
    raise ValueError(f"not a PDF number: {value!r}")


def inner(dictionary: bytes) -> bytes:
    """Return a dictionary's entries without its `<<` and `>>`, to add entries to it."""
    stripped = dictionary.strip()
    if not (stripped.startswith(b"<<") and stripped.endswith(b">>")):
        raise ValueError(f"not a PDF dictionary: {stripped[:40]!r}")
    return stripped[2:-2].strip()


class Writer:
    """Objects numbered by the caller (`allocate`), written in any order; `finish` writes the cross-reference stream."""

    def __init__(self, target: BinaryIO, version: str) -> None:
        self.target = target
        self.version = version
        self.offset = 0
        self.next = 1  # object 0 heads the free list
        self.kind = bytearray(1)  # per object: 0 free, 1 in the file at an offset, 2 in an object stream
        self.where = array("Q", [0])  # its offset, or the number of its object stream
        self.index = array("L", [0])  # its index in that object stream
        self.pending: list[tuple[int, bytes]] = []
        self._write(b"%PDF-" + version.encode("ascii") + b"\n%\xe2\xe3\xcf\xd3\n")

    def allocate(self, count: int = 1) -> int:
        """Reserve `count` consecutive object numbers and return the first; those never written stay free."""
        first = self.next
        self.next += count
        grow = self.next - len(self.kind)
        self.kind.extend(bytes(grow))
        self.where.extend(array("Q", [0]) * grow)
        self.index.extend(array("L", [0]) * grow)
        return first

    def add(self, number: int, body: bytes) -> None:
        """Write a non-stream object (into the object stream being filled)."""
        self.pending.append((number, body))
        if len(self.pending) >= OBJECTS_PER_STREAM:
            self._flush()

    def add_stream(self, number: int, dictionary: bytes, data: bytes) -> None:
        """Write a stream object: `dictionary`'s entries (its /Length is set here) and its data as they are."""
        entries = inner(dictionary)
        self._object(number, b"<< %s /Length %d >>\nstream\n" % (entries, len(data)) + data + b"\nendstream")

    def add_compressed(self, number: int, dictionary: bytes, data: bytes) -> None:
        """Write a stream object whose data is compressed here (`dictionary` without a /Filter)."""
        entries = inner(dictionary)
        self.add_stream(number, b"<< %s /Filter /FlateDecode >>" % entries, zlib.compress(data, COMPRESSION))

    def finish(self, trailer: bytes) -> None:
        """Write the last object stream and the cross-reference stream with `trailer`'s entries (/Root, /Info, /ID)."""
        self._flush()
        number = self.allocate()
        self.kind[number], self.where[number] = 1, self.offset
        width = max(1, (max(self.where).bit_length() + 7) // 8)
        rows = bytearray()
        for kind, where, index in zip(self.kind, self.where, self.index, strict=True):
            rows += bytes((kind,)) + where.to_bytes(width, "big") + index.to_bytes(2, "big")
        rows[1 + width : 3 + width] = (0xFFFF).to_bytes(2, "big")  # object 0: the head of the free list
        entries = b"/Type /XRef /Size %d /W [ 1 %d 2 ] %s" % (len(self.kind), width, inner(trailer))
        start = self.offset
        self.add_compressed(number, b"<< %s >>" % entries, bytes(rows))
        self._write(b"startxref\n%d\n%%%%EOF\n" % start)

    def _flush(self) -> None:
        """Write the pending objects as one compressed object stream."""
        if not self.pending:
            return
        stream = self.allocate()
        offsets, bodies, at = [], [], 0
        for k, (number, body) in enumerate(self.pending):
            self.kind[number], self.where[number], self.index[number] = 2, stream, k
            offsets.append(b"%d %d" % (number, at))
            bodies.append(body)
            at += len(body) + 1
        head = b" ".join(offsets) + b"\n"
        data = head + b"\n".join(bodies) + b"\n"
        self.pending = []
        dictionary = b"<< /Type /ObjStm /N %d /First %d >>" % (len(offsets), len(head))
        self.add_compressed(stream, dictionary, data)

    def _object(self, number: int, body: bytes) -> None:
        """Write an indirect object at the current offset."""
        self.kind[number], self.where[number] = 1, self.offset
        self._write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    def _write(self, data: bytes) -> None:
        self.target.write(data)
        self.offset += len(data)
