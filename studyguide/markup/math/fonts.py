"""The fonts a formula's words are drawn in (see scripts.py): found through fontconfig, as the PDF's text finds them.

Only the standard library is imported here, so a build that checks whether its outputs are up to date
can name the fonts (`fonts_digest`) without loading the formula renderer.
"""

from __future__ import annotations

import functools
import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The families a formula's text is drawn in, in the order a character looks for one that holds it:
# the PDF text's serif, DejaVu (Cyrillic, Greek; Arabic and Hebrew in its Sans), CJK, then symbols and emoji.
CHAIN = ("TeX Gyre Pagella", "DejaVu Serif", "DejaVu Sans", "Noto Serif CJK JP", "Symbola")


@dataclass(frozen=True)
class Face:
    """One font file (a face of a collection) of the chain."""

    path: Path
    index: int

    @functools.cached_property
    def font(self) -> Any:
        """Return the HarfBuzz font (loaded once)."""
        import uharfbuzz as hb

        return hb.Font(hb.Face(hb.Blob.from_file_path(str(self.path)), self.index))

    @functools.cached_property
    def unicodes(self) -> frozenset[int]:
        """Return the characters the face maps to glyphs."""
        return frozenset(self.font.face.unicodes)


def installed() -> list[tuple[str, str, str, str]]:
    """Return every installed font as fontconfig (which Pango asks) lists it: (family, style, face index, file)."""
    try:
        listing = subprocess.run(
            ["fc-list", "--format", "%{family[0]}\t%{style[0]}\t%{index}\t%{file}\n", ":"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    rows = [tuple((row.split("\t") + ["", "", ""])[:4]) for row in sorted(listing.splitlines())]
    return [(family, style, index, file) for family, style, index, file in rows]


@functools.cache
def faces() -> dict[bool, tuple[Face, ...]]:
    """Return the chain's installed faces, regular (False) and bold (True), as fontconfig lists them."""
    found: dict[tuple[str, bool], Face] = {}
    for family, style, index, file in installed():
        if family in CHAIN and style in ("Regular", "Book", "Bold") and index.isdigit():
            found.setdefault((family, style == "Bold"), Face(Path(file), int(index)))
    return {
        bold: tuple(found.get((family, bold)) or found[(family, False)] for family in CHAIN if (family, False) in found)
        for bold in (False, True)
    }


@functools.cache
def fonts_digest() -> str:
    """Return what identifies the chain's fonts for the formula cache: each file's path, size and time."""
    parts = [f"{f.path} {f.index} {f.path.stat().st_size} {f.path.stat().st_mtime_ns}" for f in faces()[False]]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
