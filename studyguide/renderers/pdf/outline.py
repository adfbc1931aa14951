"""The joined PDF's outline and link destinations: read from each part, pointed at the joined pages, written last."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from studyguide.renderers.pdf.writer import Writer, number_syntax

if TYPE_CHECKING:
    import pikepdf


@dataclass
class Entry:
    """One outline entry: its title, where it leads (PDF syntax), whether it is closed, and its entries."""

    title: bytes
    target: bytes
    closed: bool
    children: list[Entry] = field(default_factory=list)

    def visible(self) -> int:
        """Return how many entries under this one show when it is open."""
        return sum(1 + (child.visible() if not child.closed else 0) for child in self.children)


def destination(dest: pikepdf.Object, number: Callable[[int], int]) -> bytes:
    """Return an explicit destination `[page /XYZ left top 0]` on the joined file's page."""
    import pikepdf

    if isinstance(dest, pikepdf.Dictionary):
        dest = dest.D
    left, top = number_syntax(dest[2]), number_syntax(dest[3])
    return b"[ %d 0 R /XYZ %s %s 0 ]" % (number(dest[0].objgen[0]), left, top)


def outline_entries(items: list[pikepdf.OutlineItem], number: Callable[[int], int]) -> list[Entry]:
    """Read a part's outline entries, pointing them at the joined file's pages."""
    import pikepdf

    return [
        Entry(
            pikepdf.String(str(item.title)).unparse(),
            destination(item.destination, number),  # type: ignore[arg-type]
            bool(item.is_closed),
            outline_entries(item.children, number),
        )
        for item in items
    ]


def write_outline(writer: Writer, entries: list[Entry]) -> int | None:
    """Write the outline (its root, then every entry); return the root's number, or None if it is empty."""
    if not entries:
        return None
    root = writer.allocate()
    first, last = _write_entries(writer, entries, root)
    count = sum(1 + (e.visible() if not e.closed else 0) for e in entries)
    writer.add(root, b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>" % (first, last, count))
    return root


def _write_entries(writer: Writer, entries: list[Entry], parent: int) -> tuple[int, int]:
    """Write sibling entries under `parent`; return the first's and the last's numbers."""
    numbers = [writer.allocate() for _ in entries]
    for k, entry in enumerate(entries):
        links = [b"/Parent %d 0 R" % parent]
        if k:
            links.append(b"/Prev %d 0 R" % numbers[k - 1])
        if k + 1 < len(numbers):
            links.append(b"/Next %d 0 R" % numbers[k + 1])
        if entry.children:
            first, last = _write_entries(writer, entry.children, numbers[k])
            shown = entry.visible()
            links.append(b"/First %d 0 R /Last %d 0 R /Count %d" % (first, last, -shown if entry.closed else shown))
        writer.add(numbers[k], b"<< /Title %s /Dest %s %s >>" % (entry.title, entry.target, b" ".join(links)))
    return numbers[0], numbers[-1]
