"""Three work-arounds that make ziamath 0.13 draw the same SVG faster, each undone when the drawing ends.

ziamath measures every row twice: once without its stretchy operators (to know how far a `\\left(`
must stretch), then for real. The first pass measured each row inside it twice again, so a formula
nested d groups deep built its innermost parts 2^d times (a 600-character formula 5 deep took 0.73 s).
In that first pass only heights count, and a stretchy operator's height is left out of them, so the
row's own stretch is never needed there: it is not measured (`_single_line`). The same function keeps
the row's left edge as a running minimum instead of recomputing it over the row for each part
(quadratic in a row's length). Styles are read from a shallow dict instead of a deep copy
(`dataclasses.asdict`), and a length's conversion to pixels is remembered.

Hand-written because no ziamath release does this; ziamath is pinned (pyproject.toml) and the tests
compare the SVG drawn with and without them for every formula of the real content and nested shapes.
Measured on 389 formulas: 13.3 s without, 3.7 s with; a near-limit formula 0.13 s at most.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

MAX_SIZES = 10_000  # remembered length conversions: a formula uses a few dozen distinct ones


def _single_line(self: Any, line: list[Any], **kwargs: Any) -> None:
    """Lay out a one-line row: ziamath 0.13's `Mrow._setup_single_line`, without the two costs the module names."""
    from ziafont.fonttypes import BBox
    from ziamath.nodes.mnode import Mnode
    from ziamath.nodes.nodetools import elementtext

    if kwargs.get("nostretch"):  # measuring heights without stretchy operators: their stretch is not needed
        kwargs.pop("rowymin", None)
        kwargs.pop("rowymax", None)
    else:
        kwargs["rowymin"], kwargs["rowymax"] = self._get_height_nostretch(line, **kwargs)
    ymax, ymin = -9999.0, 9999.0
    x = xmin = xmax = 0.0
    for child in line:
        if child.tag == "mo" and elementtext(child) == "":
            continue
        node = Mnode.fromelement(child, parent=self, **kwargs)
        self.nodes.append(node)
        self.nodexy.append((x, 0))
        xmax = max(xmax, x + node.bbox.xmax)
        xmin = x + node.bbox.xmin if len(self.nodes) == 1 else min(xmin, x + node.bbox.xmin)
        ymax = max(ymax, node.bbox.ymax)
        ymin = min(ymin, node.bbox.ymin)
        x += node.xadvance()
    self.bbox = BBox(xmin, xmax, ymin, ymax)
    self._xadvance = x


def _shallow(style: Any) -> dict[str, Any]:
    """Return a MathStyle's fields as a dict without copying them (`parse_style` only reads the top-level ones)."""
    return {name: getattr(style, name) for name in style.__dataclass_fields__}


def _remembering(own: Any) -> Any:
    """Return `Mnode.size_px` remembering each (length, font size)'s value in pixels, a function of those two."""
    sizes: dict[tuple[str, float], float] = {}

    def size_px(node: Any, size: str, fontsize: float | None = None) -> float:
        fontsize = node.glyphsize if fontsize is None else fontsize
        key = (size, fontsize)
        found = sizes.get(key)
        if found is None:
            if len(sizes) >= MAX_SIZES:
                sizes.clear()
            found = sizes[key] = own(node, size, fontsize)
        return found

    return size_px


@contextlib.contextmanager
def cheaper_drawing() -> Iterator[None]:
    """While ziamath draws, apply the three work-arounds; restore ziamath's own functions after."""
    from ziamath import styles
    from ziamath.nodes.mnode import Mnode
    from ziamath.nodes.mrow import Mrow

    # Set through a table: mypy refuses assigning to a method, and ruff a setattr with a constant name.
    names = ((Mrow, "_setup_single_line"), (styles, "asdict"), (Mnode, "size_px"))
    own = [owner.__dict__[name] for owner, name in names]
    for (owner, name), work_around in zip(names, (_single_line, _shallow, _remembering(own[2])), strict=True):
        setattr(owner, name, work_around)
    try:
        yield
    finally:
        for (owner, name), function in zip(names, own, strict=True):
            setattr(owner, name, function)
