"""WeasyPrint's footnote area measured once per footnote, so a page's layout costs time linear in its footnotes.

WeasyPrint 70 lays out a page's whole footnote area anew each time a footnote joins the page
(`LayoutContext._update_footnote_area`): a page with k notes lays out k(k+1)/2 of them, and a
page of one-line notes took about 0.9 s instead of 0.2 s. Only the area's height is wanted there
(the area itself is laid out once more when the page is finished). While the layout runs, that
height is the sum of each note's own height, measured once, whenever adding is exact: notes
without vertical margins (nothing to collapse), in an area without a height, minimum or maximum
height of its own, outside columns; otherwise WeasyPrint's own method runs. Hand-written because
no WeasyPrint release does this; WeasyPrint is pinned (pyproject.toml) and the tests compare the
PDF bytes written with and without it.

WeasyPrint also keeps the notes not yet placed in a list and asks, for every box of every line,
whether that box's note is in it: `Waiting` answers from a count of the notes it holds.
"""

from __future__ import annotations

import contextlib
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

MEASURED = "_studyguide_footnote_heights"  # on the layout context: id(note), area width -> (note, height)


class Waiting(list[Any]):
    """WeasyPrint's list of the notes not yet placed, whose `in` counts instead of searching the list."""

    def __init__(self, items: Iterable[Any] = ()) -> None:
        super().__init__(items)
        self.held: Counter[int] = Counter(id(item) for item in self)

    def __contains__(self, item: object) -> bool:
        return self.held[id(item)] > 0

    def append(self, item: Any) -> None:
        super().append(item)
        self.held[id(item)] += 1

    def remove(self, item: Any) -> None:
        super().remove(item)
        self.held[id(item)] -= 1

    def copy(self) -> Waiting:
        return Waiting(self)


def _exact(area: Any) -> bool:
    """Tell whether an area's content height is the plain sum of its notes' heights (no height of its own)."""
    style = area.style
    low, high = style["min_height"], style["max_height"]
    no_min = low == "auto" or getattr(low, "value", None) == 0
    return style["height"] == "auto" and no_min and math.isinf(getattr(high, "value", 0))


def _measure(context: Any, area: Any, note: Any) -> float | None:
    """Return one note's height in this area (laid out alone, as WeasyPrint lays out the area), None if not additive."""
    from weasyprint.formatting_structure import build
    from weasyprint.layout.block import block_level_layout

    heights = context.__dict__.setdefault(MEASURED, {})
    key = (id(note), area.width)
    if key in heights and heights[key][0] is note:
        found: float | None = heights[key][1]
        return found
    children = area.children
    area.children = [note]
    try:
        laid = block_level_layout(context, build.create_anonymous_boxes(area.deepcopy()), -math.inf, None, area.page)[0]
    finally:
        area.children = children
    kids = laid.children
    additive = len(kids) == 1 and kids[0].margin_top == 0 and kids[0].margin_bottom == 0
    height = kids[0].margin_height() if additive and laid.height == kids[0].margin_height() else None
    heights[key] = (note, height)
    return height


def _update(original: Any) -> Any:
    """Return `_update_footnote_area` adding measured heights, falling back to `original` when that is not exact."""

    def update(context: Any) -> bool:
        area = context.current_footnote_area
        notes = context.current_page_footnotes
        if context.in_column or not notes or not _exact(area):
            return bool(original(context))
        heights = [_measure(context, area, note) for note in notes]
        if any(height is None for height in heights):
            return bool(original(context))
        if area.height != "auto":
            context.page_bottom += area.margin_height()
        area.children = notes
        area.height = math.fsum(h for h in heights if h is not None)
        context.page_bottom -= area.margin_height()
        return False  # an area without a maximum height grows to hold its notes: nothing overflows

    return update


@contextlib.contextmanager
def measured_footnotes() -> Iterator[None]:
    """While WeasyPrint lays out, measure each footnote once and find waiting notes by count; restore it after."""
    from weasyprint.layout import LayoutContext

    original_update = LayoutContext.__dict__["_update_footnote_area"]
    original_init = LayoutContext.__dict__["__init__"]

    def init(context: Any, *args: Any, **kwargs: Any) -> None:
        original_init(context, *args, **kwargs)
        context.footnotes = Waiting(context.footnotes)

    LayoutContext._update_footnote_area = _update(original_update)
    LayoutContext.__init__ = init
    try:
        yield
    finally:
        LayoutContext._update_footnote_area = original_update
        LayoutContext.__init__ = original_init
