"""One part's objects copied into the joined file, renumbered, as soon as the part is read; then the part is closed.

Each part's object n becomes the joined file's `base + n`; a few are not copied (the part's catalog,
page tree, outline, names, structure root and Document element, merged fonts) and references to some
of them are redirected (to the joined Document element, to the merged fonts).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from studyguide.renderers.pdf.writer import Writer, renumber

if TYPE_CHECKING:
    import pikepdf

SKIPPED_STREAMS = ("/ObjStm", "/XRef")  # the part file's own packing: its objects are read out of them


def nodes(node: pikepdf.Object | None, *links: str) -> Iterator[pikepdf.Object]:
    """Walk an object tree along the given keys (e.g. /Kids; /First, /Next), yielding every node once."""
    seen: set[tuple[int, int]] = set()
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if current.is_indirect:
            if current.objgen in seen:
                continue
            seen.add(current.objgen)
        yield current
        for link in links:
            found = current.get(link)
            if found is None:
                continue
            import pikepdf

            stack.extend(found if isinstance(found, pikepdf.Array) else [found])


def indirect(objects: Iterable[pikepdf.Object | None]) -> set[int]:
    """Return the object numbers of the indirect objects among these."""
    return {o.objgen[0] for o in objects if o is not None and o.is_indirect}


def skipped_tree(root: pikepdf.Object | None, kids: str, values: str | None) -> set[int]:
    """Return a name or number tree's nodes, and (given the key that lists them) its values that are objects."""
    import pikepdf

    found: set[int] = set()
    for node in nodes(root, kids):
        found |= indirect([node])
        if values is not None:
            pairs = node.get(values, pikepdf.Array())
            found |= indirect([pairs, *list(pairs)[1::2]])
    return found


class Copier:
    """Copies one part's objects into the joined file: `base + n` unless skipped or redirected."""

    def __init__(self, writer: Writer, src: pikepdf.Pdf) -> None:
        self.writer = writer
        self.src = src
        self.base = writer.allocate(int(src.trailer.Size))  # the part's object n is the joined file's base + n
        self.skip: set[int] = {0}  # not copied, not referred to
        self.later: set[int] = set()  # not copied: the join writes them itself (the pages), under their own numbers
        self.redirect: dict[int, int] = {}  # referred to as another object (the joined Document, a merged font)

    def number(self, n: int) -> int:
        """Return the joined file's number for the part's object n; a reference to an object not copied is a bug."""
        found = self.redirect.get(n)
        if found is not None:
            return found
        if n in self.skip:
            raise RuntimeError(f"a part refers to its object {n}, which the join does not copy")
        return self.base + n

    def syntax(self, obj: pikepdf.Object) -> bytes:
        """Return a direct object (or an indirect object's value) as the joined file's PDF syntax."""
        return renumber(obj.unparse(resolved=True), self.number)

    def reference(self, obj: pikepdf.Object) -> bytes:
        """Return an object as it is written inside another: a reference if indirect, its value otherwise."""
        if obj.is_indirect:
            return b"%d 0 R" % self.number(obj.objgen[0])
        return self.syntax(obj)

    def copy(self) -> None:
        """Write every object of the part that is not skipped (those redirected are written elsewhere)."""
        import pikepdf

        writer = self.writer
        for obj in self.src.objects:
            n, generation = obj.objgen
            if n in self.skip or n in self.later or n in self.redirect:
                continue
            if generation:
                raise RuntimeError(f"a part's object {n} has generation {generation}: the join numbers by object")
            if isinstance(obj, pikepdf.Stream):
                if obj.get("/Type") in SKIPPED_STREAMS:
                    continue
                dictionary = pikepdf.Dictionary({k: v for k, v in obj.items() if k != "/Length"})
                writer.add_stream(self.base + n, renumber(dictionary.unparse(), self.number), obj.read_raw_bytes())
            else:
                writer.add(self.base + n, self.syntax(obj))
