"""Each font of the joined PDF embedded once: the parts' dictionaries and subsets of one font merged into one.

Why the subsets can be merged is in `subsets.py`. A part's font joins a merged one only where nothing
differs: the same dictionaries, the same width and the same text (ToUnicode) for each glyph both
use, the same outline for each glyph both hold. A font that is not as WeasyPrint 70 writes a
subset (its own encoding for glyphs no font has, a bitmap font, subroutines), or that conflicts, is
left as its part wrote it, and is then listed once more by pdffonts: never a wrong glyph or width.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from studyguide.renderers.pdf.subsets import Subset, read_subset, write_subset
from studyguide.renderers.pdf.writer import TOKEN, Writer, inner, number_syntax

if TYPE_CHECKING:
    import pikepdf

FIXED_PITCH = 1  # the FontDescriptor flag WeasyPrint sets when every width is the same
BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.DOTALL)
PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>")
CMAP_HEAD = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo
<< /Registry (Adobe)
/Ordering (UCS)
/Supplement 0
>> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <ffff>
endcodespacerange"""
CMAP_TAIL = b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"


@dataclass
class Font:
    """One part's font, or several parts' merged: dictionaries, widths and text by glyph id, and its subset."""

    name: str
    entries: tuple[bytes, ...]  # the Type0, CIDFont and descriptor entries every part's copy has the same
    flags: int  # the descriptor's flags, fixed pitch aside
    box: list[bytes]  # the descriptor's FontBBox: [0 descent widest ascent]
    widths: dict[int, bytes]
    text: dict[int, bytes]  # glyph id -> its text in UTF-16BE hex
    program: bytes  # the subset with the longest glyph order
    opentype: bool  # FontFile3 /OpenType (CFF), else FontFile2 (TrueType)
    subset: Subset
    objects: set[int] = field(default_factory=set)  # its objects in the part (replaced by the merged font's)

    def merge(self, other: Font) -> bool:
        """Take another part's copy of this font in, if nothing differs; return whether it was taken."""
        same = (self.name, self.entries, self.flags, self.box[:2], self.box[3:], self.opentype)
        if same != (other.name, other.entries, other.flags, other.box[:2], other.box[3:], other.opentype):
            return False
        if not (_agree(self.widths, other.widths) and _agree(self.text, other.text)):
            return False
        if not self.subset.fits(other.subset):
            return False
        for gid, width in other.widths.items():
            self.widths.setdefault(gid, width)
        for gid, text in other.text.items():
            self.text.setdefault(gid, text)
        for gid, glyph in other.subset.glyphs.items():
            self.subset.glyphs.setdefault(gid, glyph)
        for name, font in other.subset.fonts.items():
            self.subset.fonts.setdefault(name, font)
        for key, mapping in other.subset.cmap.items():
            self.subset.cmap.setdefault(key, {}).update(mapping)
        if len(other.subset.order) > len(self.subset.order):
            self.program, self.subset.order = other.program, other.subset.order
        return True


def _agree(mine: dict[int, bytes], theirs: dict[int, bytes]) -> bool:
    """Return whether two maps by glyph id agree on every glyph both hold."""
    return all(mine.get(gid, value) == value for gid, value in theirs.items())


def _entries(dictionary: pikepdf.Object, leave: tuple[str, ...]) -> bytes | None:
    """Return a dictionary's entries but `leave` as PDF syntax, or None if one refers to another object."""
    import pikepdf

    text = pikepdf.Dictionary({k: v for k, v in dictionary.items() if k not in leave}).unparse()
    return None if any(m[1] is not None for m in TOKEN.finditer(text)) else inner(text)


def read_widths(array: pikepdf.Object) -> dict[int, bytes]:
    """Return a CIDFont's /W array as glyph id -> width."""
    import pikepdf

    items, widths, k = list(array), dict[int, bytes](), 0
    while k < len(items):
        first, after = int(items[k]), items[k + 1]
        if isinstance(after, pikepdf.Array):
            widths.update((first + j, number_syntax(w)) for j, w in enumerate(after))
            k += 2
        else:
            widths.update((gid, number_syntax(items[k + 2])) for gid in range(first, int(after) + 1))
            k += 3
    return widths


def _text(stream: pikepdf.Object) -> dict[int, bytes] | None:
    """Return a ToUnicode CMap's single-glyph entries, or None if it holds ranges (WeasyPrint writes none)."""
    data = stream.read_bytes()
    if b"bfrange" in data:
        return None
    return {int(code, 16): text.lower() for block in BFCHAR.findall(data) for code, text in PAIR.findall(block)}


def read(font: pikepdf.Object) -> Font | None:
    """Read a part's Type0 font as WeasyPrint 70 writes it, or None (then it is copied as it is)."""
    import pikepdf

    if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H" or "/ToUnicode" not in font:
        return None
    (cid,) = font.DescendantFonts
    descriptor = cid.FontDescriptor
    opentype = "/FontFile3" in descriptor
    program = descriptor.get("/FontFile3" if opentype else "/FontFile2")
    if program is None or "/CIDSet" in descriptor or (opentype and program.get("/Subtype") != "/OpenType"):
        return None
    if cid.get("/CIDToGIDMap", pikepdf.Name.Identity) != "/Identity":
        return None
    entries = (
        _entries(font, ("/ToUnicode", "/DescendantFonts")),
        _entries(cid, ("/W", "/FontDescriptor")),
        _entries(descriptor, ("/Flags", "/FontBBox", "/FontFile2", "/FontFile3")),
    )
    text = _text(font.ToUnicode)
    if None in entries or text is None:
        return None
    widths = read_widths(cid.get("/W", pikepdf.Array()))
    data = program.read_bytes()
    subset = read_subset(data, widths.keys() | text.keys())
    if subset is None:
        return None
    parts = [font, font.ToUnicode, font.DescendantFonts, cid, descriptor, program, cid.get("/W")]
    objects = {o.objgen[0] for o in parts if o is not None and o.is_indirect}
    box = [number_syntax(v) for v in descriptor.FontBBox]
    flags = int(descriptor.Flags) & ~FIXED_PITCH
    return Font(str(font.BaseFont), entries, flags, box, widths, text, data, opentype, subset, objects)  # type: ignore[arg-type]


class Fonts:
    """The joined PDF's fonts: each part's font merged with the others of its name (unless something differs)."""

    def __init__(self, writer: Writer, merge: bool = True) -> None:
        self.writer = writer
        self.merge = merge
        self.merged: dict[str, list[tuple[int, Font]]] = {}

    def take(self, font: pikepdf.Object) -> tuple[int, set[int]] | None:
        """Take a part's font: return the merged font's object number and the part's objects it replaces, or None."""
        found = read(font) if self.merge else None
        if found is None:
            return None
        fonts = self.merged.setdefault(found.name, [])
        for number, merged in fonts:
            if merged.merge(found):
                return number, found.objects
        number = self.writer.allocate()
        fonts.append((number, found))
        return number, found.objects

    def write(self) -> None:
        """Write every merged font: its subset holding every part's glyphs, its dictionaries, widths and text."""
        for fonts in self.merged.values():
            for number, font in fonts:
                self._write(number, font)

    def _write(self, number: int, font: Font) -> None:
        writer = self.writer
        program = write_subset(font.program, font.subset)
        file, descriptor, cid, text = (writer.allocate() for _ in range(4))
        kind = b"/Subtype /OpenType" if font.opentype else b"/Length1 %d" % len(program)
        writer.add_compressed(file, b"<< %s >>" % kind, program)
        widest = max(font.widths.values(), key=lambda w: Decimal(w.decode()), default=b"0")
        box = b"[ %s ]" % b" ".join([*font.box[:2], widest, *font.box[3:]])
        values = {Decimal(w.decode()) for w in font.widths.values()}
        flags = font.flags | (FIXED_PITCH if len(font.widths) > 1 and len(values) == 1 else 0)
        key = b"/FontFile3" if font.opentype else b"/FontFile2"
        type0, cidfont, described = font.entries
        writer.add(descriptor, b"<< %s /Flags %d /FontBBox %s %s %d 0 R >>" % (described, flags, box, key, file))
        writer.add(cid, b"<< %s /W %s /FontDescriptor %d 0 R >>" % (cidfont, widths_array(font.widths), descriptor))
        writer.add_compressed(text, b"<< >>", to_unicode(font.text))
        writer.add(number, b"<< %s /ToUnicode %d 0 R /DescendantFonts [ %d 0 R ] >>" % (type0, text, cid))


def widths_array(widths: dict[int, bytes]) -> bytes:
    """Return a CIDFont's /W array: each run of consecutive glyph ids with its widths, as WeasyPrint writes it."""
    runs: list[bytes] = []
    for gid in sorted(widths):
        if gid - 1 not in widths:
            runs.append(b"] %d [" % gid)
        runs.append(widths[gid])
    return b"[" + b" ".join(runs)[1:] + (b" ] ]" if runs else b" ]")


def to_unicode(text: dict[int, bytes]) -> bytes:
    """Return a ToUnicode CMap mapping each glyph id to its text, in blocks of 100 as WeasyPrint writes them."""
    lines = [CMAP_HEAD]
    items = list(text.items())
    for start in range(0, len(items), 100):
        block = items[start : start + 100]
        lines.append(b"%d beginbfchar" % len(block))
        lines.extend(b"<%04x> <%s>" % (gid, value) for gid, value in block)
        lines.append(b"endbfchar")
    lines.append(CMAP_TAIL)
    return b"\n".join(lines)
