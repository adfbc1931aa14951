"""The glyphs of one embedded font subset, read and written with fontTools, so the parts' subsets can become one.

WeasyPrint 70 subsets a font twice with HarfBuzz: first keeping every glyph's id (RETAIN_GIDS),
then keeping glyphs 0 to the last one used, whose ids therefore stay the font's; glyphs HarfBuzz
adds after those (components of composite glyphs, layout closure) get new ids of that subset's
own. Text is shown by glyph id (Identity-H, CIDToGIDMap Identity). So up to its last used glyph,
each part's subset of a font numbers its glyphs as the font does, and one subset holding the
union of those glyphs, each at its own id, draws every part's text as it stands. Outlines are
taken as stored (HarfBuzz desubroutinizes CFF charstrings, so each is whole), except TrueType
composite glyphs, whose components may have ids of one subset's own: they are flattened into
simple glyphs (the same points). A CID-keyed CFF subset keeps only the font dictionaries (FDArray)
its glyphs use: each glyph keeps the name of its own, the merged subset holds every part's (each
name's the same in every part, or the subsets are not merged). A CFF subset with subroutines, or
anything else unexpected, is not read (None): its part keeps its own subset.
"""

from __future__ import annotations

import io
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

EMPTY_CHARSTRING = b"\x0e"  # endchar: a glyph HarfBuzz emptied (not in the subset)
ON_CURVE = 0x01  # the one point flag a simple glyph needs
Metrics = tuple[tuple[int, int] | None, ...]  # the glyph's (advance, side bearing) in hmtx and vmtx
CmapKey = tuple[int, int, int]  # platform, encoding, format of a cmap subtable
Entries = tuple[tuple[str, Any], ...]  # a CFF dictionary's entries, sorted by key
FontDef = tuple[Entries, Entries]  # a CID-keyed CFF font dictionary's entries but its private one, and that one's


@dataclass(frozen=True)
class Glyph:
    """One glyph of a subset: its outline, its metrics, and the CFF private dictionary it is drawn with."""

    outline: bytes
    metrics: Metrics
    private: str = ""  # a CID-keyed CFF font's FDArray entry (by name); "" otherwise


@dataclass
class Subset:
    """What a subset holds up to its last used glyph: glyph names, glyphs, cmap, and what all subsets share."""

    order: list[str]  # glyph names (a TrueType subset's are made up by fontTools: only their count is kept)
    glyphs: dict[int, Glyph]
    cmap: dict[CmapKey, dict[int, int]] = field(default_factory=dict)  # code point -> glyph id
    skeleton: str = ""  # a name-keyed CFF font's private dictionary (charstring widths are relative to it)
    fonts: dict[str, FontDef] = field(default_factory=dict)  # a CID-keyed CFF font's dictionaries, by name

    def fits(self, other: Subset) -> bool:
        """Return whether two subsets are of one font: one glyph order a prefix of the other, shared glyphs equal."""
        shorter, longer = sorted((self.order, other.order), key=len)
        if self.skeleton != other.skeleton or longer[: len(shorter)] != shorter:
            return False
        if any(other.fonts.get(name, font) != font for name, font in self.fonts.items()):
            return False
        return all(other.glyphs.get(gid, glyph) == glyph for gid, glyph in self.glyphs.items())


def read_subset(program: bytes, used: Collection[int]) -> Subset | None:
    """Read a subset's glyphs up to the last id in `used` (those it holds, and every used one), or None."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(io.BytesIO(program), lazy=False)
        order = list(font.getGlyphOrder())[: max(used, default=0) + 1]
        if len(order) <= max(used, default=0):
            return None
        if "CFF " in font:
            found = _cff_glyphs(font, order, used)
        elif "glyf" in font:
            found = _glyf_glyphs(font, order, used)
        else:
            return None
    except (TTLibError, AssertionError, KeyError, ValueError, IndexError, TypeError, AttributeError):
        return None
    if found is None:
        return None
    glyphs, skeleton, fonts = found
    ids = {name: gid for gid, name in enumerate(order)}
    tables = font["cmap"].tables if "cmap" in font else []
    cmap = {
        (t.platformID, t.platEncID, t.format): {c: ids[name] for c, name in t.cmap.items() if name in ids}
        for t in tables
    }
    return Subset(order if "CFF " in font else [""] * len(order), glyphs, cmap, skeleton, fonts)


def _metrics(font: Any, name: str) -> Metrics:
    """Return a glyph's horizontal and vertical metrics."""
    return tuple(font[tag].metrics.get(name) if tag in font else None for tag in ("hmtx", "vmtx"))


def _private(private: Any) -> Entries:
    """Return a CFF private dictionary's values, or raise ValueError if it has subroutines."""
    if "Subrs" in private.rawDict:
        raise ValueError("local subroutines")
    return tuple(sorted(private.rawDict.items()))


def _cff_glyphs(
    font: Any, order: list[str], used: Collection[int]
) -> tuple[dict[int, Glyph], str, dict[str, FontDef]] | None:
    """Return a CFF subset's glyphs (charstring bytes) and its private dictionaries, if it has no subroutines.

    A name-keyed font's `seac` accent names its two glyphs by character code: merged, they must be
    at the ids they have here, so a subset with glyphs after its last used one (which HarfBuzz
    renumbers) is not read. CID-keyed fonts have no `seac`.
    """
    cff = font["CFF "].cff
    top = cff.topDictIndex[0]
    if len(cff.GlobalSubrs) or getattr(cff, "major", 1) != 1:
        return None
    keyed = hasattr(top, "FDArray") and hasattr(top, "ROS")
    fonts: dict[str, FontDef] = {}
    if keyed:
        names = [fd.rawDict.get("FontName", str(k)) for k, fd in enumerate(top.FDArray)]
        for name, fd in zip(names, top.FDArray, strict=True):
            fonts[name] = (tuple(sorted((k, v) for k, v in fd.rawDict.items() if k != "Private")), _private(fd.Private))
        skeleton = "CID-keyed"
    else:
        if len(font.getGlyphOrder()) > len(order):
            return None
        names, skeleton = [], repr(_private(top.Private))
    charstrings = top.CharStrings
    index = charstrings.charStringsIndex
    offsets = index.offsets if charstrings.charStringsAreIndexed and index.offsets else None
    glyphs = {}
    for gid, name in enumerate(order):
        if gid not in used and offsets is not None and offsets[gid + 1] - offsets[gid] <= len(EMPTY_CHARSTRING):
            continue  # emptied (or endchar alone): not in this subset
        charstring, selector = charstrings.getItemAndSelector(name)
        if charstring.bytecode is None:
            charstring.compile()
        data = bytes(charstring.bytecode)
        if gid in used or data != EMPTY_CHARSTRING:
            glyphs[gid] = Glyph(data, _metrics(font, name), names[selector] if keyed else "")
    return glyphs, skeleton, fonts


def _glyf_glyphs(
    font: Any, order: list[str], used: Collection[int]
) -> tuple[dict[int, Glyph], str, dict[str, FontDef]] | None:
    """Return a TrueType subset's glyphs, each composite one flattened (its components may be at ids of its own)."""
    from fontTools.ttLib.tables._g_l_y_f import Glyph as TrueTypeGlyph
    from fontTools.ttLib.tables.ttProgram import Program

    glyf = font["glyf"]
    glyphs = {}
    for gid, name in enumerate(order):
        if gid not in used and not getattr(glyf.glyphs[name], "data", True):
            continue  # stored empty: not in this subset
        glyph = glyf[name]
        if glyph.isComposite():
            coordinates, ends, flags = glyph.getCoordinates(glyf)
            glyph = TrueTypeGlyph()
            glyph.coordinates, glyph.endPtsOfContours = coordinates, list(ends)
            glyph.flags, glyph.numberOfContours = bytearray(f & ON_CURVE for f in flags), len(ends)
            glyph.program = Program()
            glyph.program.fromBytecode(b"")
            glyph.recalcBounds(glyf)
        data = glyph.compile(glyf) if glyph.numberOfContours else b""
        if gid in used or data:
            glyphs[gid] = Glyph(bytes(data), _metrics(font, name))
    return glyphs, "", {}


def write_subset(program: bytes, subset: Subset) -> bytes:
    """Return `program` (the subset with the longest glyph order) holding the subset's glyphs at their ids, its cmap."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(program), recalcTimestamp=False)
    order = font.getGlyphOrder()
    glyphs, cmap = subset.glyphs, subset.cmap
    if "CFF " in font:
        _put_charstrings(font, order, glyphs, subset.fonts)
    else:
        from fontTools.ttLib.tables._g_l_y_f import Glyph as TrueTypeGlyph

        glyf = font["glyf"]
        for gid, glyph in glyphs.items():
            glyf[order[gid]] = TrueTypeGlyph(glyph.outline)
    for gid, glyph in glyphs.items():
        for tag, metrics in zip(("hmtx", "vmtx"), glyph.metrics, strict=True):
            if metrics is not None and tag in font:
                font[tag].metrics[order[gid]] = metrics
    if "cmap" in font:
        for table in font["cmap"].tables:
            found = cmap.get((table.platformID, table.platEncID, table.format))
            if found is not None:
                table.cmap = {code: order[gid] for code, gid in found.items()}
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _put_charstrings(font: Any, order: list[str], glyphs: dict[int, Glyph], fonts: dict[str, FontDef]) -> None:
    """Put each glyph's charstring at its id, drawn with its own private dictionary (added if this subset lacks it)."""
    from fontTools.cffLib import FontDict, PrivateDict
    from fontTools.misc.psCharStrings import T2CharString

    cff = font["CFF "].cff
    top = cff.topDictIndex[0]
    keyed = hasattr(top, "FDArray") and hasattr(top, "ROS")
    names = {fd.rawDict.get("FontName", str(k)): k for k, fd in enumerate(top.FDArray)} if keyed else {}
    used = {glyph.private for glyph in glyphs.values()}
    for name, (entries, private) in fonts.items() if keyed else ():
        if name in used and name not in names:  # another part's glyphs use it: as that part's subset holds it
            added = FontDict()
            added.Private = PrivateDict()
            for key, value in entries:
                setattr(added, key, value)
            for key, value in private:
                setattr(added.Private, key, value)
            names[name] = len(top.FDArray)
            top.FDArray.append(added)
    for gid, glyph in glyphs.items():
        if keyed:
            index = names[glyph.private]
            top.FDSelect[gid] = index
            private = top.FDArray[index].Private
        else:
            private = top.Private
        top.CharStrings[order[gid]] = T2CharString(bytecode=glyph.outline, private=private, globalSubrs=cff.GlobalSubrs)
