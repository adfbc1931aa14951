"""Joining laid-out parts into one tagged PDF with pikepdf: pages, structure tree, destinations, outline, footers."""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import pikepdf

FOOTER = "/StudyguideFooter"  # the footer's resource name on every page (WeasyPrint's own names are short)


@dataclass(frozen=True)
class Laid:
    """What a worker reports of one layout: its page count, and the page (from 0) of each anchor it holds."""

    pages: int
    anchors: dict[str, int]
    elsewhere: frozenset[str]  # stand-in anchors for targets held by another part
    path: str | None
    nested: bool = False  # its outline continues the previous part's last entry (later runs of answers)


class Joined:
    """The joined PDF, built part by part: the body parts as soon as they are laid out, the front matter last.

    Each part's pages go in at a given place, its structure elements under the one Document
    element (its structure-parent keys renumbered after those already in), its named destinations
    (the anchors it really holds) and its outline entries with them.
    """

    def __init__(self) -> None:
        import pikepdf

        self.out = pikepdf.Pdf.new()
        self.sources: list[pikepdf.Pdf] = []  # kept open: qpdf reads their streams when the joined file is saved
        self.destinations: dict[str, pikepdf.Array] = {}
        self.outline: list[pikepdf.OutlineItem] = []
        self.key_base = 0
        self.root: pikepdf.Object | None = None  # the first part's StructTreeRoot, and its Document element
        self.document: pikepdf.Object | None = None
        self.front: pikepdf.Pdf | None = None

    def add(self, laid: Laid, front: bool = False, blank: int = 0) -> None:
        """Put a part's pages at the end, or the front matter's at the start followed by `blank` empty pages."""
        import pikepdf
        from pikepdf import Array, Dictionary, Name

        assert laid.path is not None
        out = self.out
        src = pikepdf.Pdf.open(laid.path)
        self.sources.append(src)
        first = 0 if front else len(out.pages)
        index = {page.obj.objgen: k for k, page in enumerate(src.pages)}
        with warnings.catch_warnings():  # pikepdf warns that named destinations are not carried: rebuilt below
            warnings.simplefilter("ignore")
            for k, page in enumerate(src.pages):
                out.pages.insert(first + k, page)
        keys = 0
        for page in out.pages[first : first + len(src.pages)]:
            for holder in [page.obj, *page.obj.get(Name.Annots, Array())]:
                for key in (Name.StructParents, Name.StructParent):
                    if key in holder:
                        keys = max(keys, int(holder[key]) + 1)
                        holder[key] = int(holder[key]) + self.key_base
        self._merge_structure(out.copy_foreign(src.Root.StructTreeRoot), laid, front)
        self.key_base += keys
        if Name.Names in src.Root and Name.Dests in src.Root.Names:
            for name, dest in pikepdf.NameTree(src.Root.Names.Dests).items():
                if name not in laid.elsewhere and name not in self.destinations:
                    target = out.pages[first + index[dest[0].objgen]].obj
                    self.destinations[name] = Array([target, Name.XYZ, dest[2], dest[3], 0])
        with src.open_outline() as part_outline:
            entries = _copy_outline(part_outline.root, out, first, index)
        if laid.nested and self.outline:  # later answers: under the "Answers" entry
            self.outline[-1].children.extend(entries)
        else:
            self.outline = [*entries, *self.outline] if front else [*self.outline, *entries]
        if blank:
            box = out.pages[first].mediabox
            for k in range(blank):
                empty = Dictionary(Type=Name.Page, MediaBox=box, Resources=Dictionary(), Contents=out.make_stream(b""))
                out.pages.insert(first + len(src.pages) + k, pikepdf.Page(out.make_indirect(empty)))
        if front:
            self.front = src

    def _merge_structure(self, tree: pikepdf.Object, laid: Laid, front: bool) -> None:
        """Put a part's structure elements under the one Document element, its parent-tree keys after those in."""
        from pikepdf import Array, Dictionary, Name

        part_document = tree.K[0]
        if laid.elsewhere:
            _drop_stand_ins(part_document)
        if self.root is None:
            self.root, self.document = tree, part_document
            return
        document = self.document
        assert document is not None
        kids = list(part_document.K)
        for k, kid in enumerate(kids):
            kid.P = document
            document.K.insert(k if front else len(document.K), kid)
        pairs = tree.ParentTree.Nums
        nums = self.root.ParentTree.Nums
        for j in range(0, len(pairs), 2):  # keys stay in ascending order: each part's come after the last
            value = pairs[j + 1]
            nums.append(int(pairs[j]) + self.key_base)
            nums.append(value)
            for element in value if isinstance(value, Array) else [value]:
                parent = element.get(Name.P) if isinstance(element, Dictionary) else None
                if parent is not None and parent.objgen == part_document.objgen:
                    element.P = document

    def stamp(self, footers: Sequence[Laid]) -> None:
        """Stamp the footers' pages, in order, on pages 2 onwards (the cover has none)."""
        import pikepdf

        number = 1
        for laid in footers:
            assert laid.path is not None
            src = pikepdf.Pdf.open(laid.path)
            self.sources.append(src)
            for footer in src.pages:
                _stamp(self.out.pages[number], self.out.copy_foreign(footer.as_form_xobject()))
                number += 1
        if number != len(self.out.pages):
            raise RuntimeError(f"{number - 1} footers for {len(self.out.pages) - 1} pages")

    def save(self) -> bytes:
        """Finish the catalog (from the front matter's) and return the file's bytes."""
        import pikepdf
        from pikepdf import Dictionary

        out, front = self.out, self.front
        assert front is not None and self.root is not None
        for entry, value in front.Root.items():  # language, tagged-PDF mark, viewer preferences, XMP metadata
            if entry not in ("/Type", "/Pages", "/StructTreeRoot", "/Names", "/Outlines"):
                out.Root[entry] = out.copy_foreign(value if value.is_indirect else front.make_indirect(value))
        self.root.ParentTreeNextKey = self.key_base
        out.Root.StructTreeRoot = self.root
        names = pikepdf.NameTree.new(out)
        for name in sorted(self.destinations):
            names[name] = self.destinations[name]
        out.Root.Names = Dictionary(Dests=names.obj)
        with out.open_outline() as joined:
            joined.root.extend(self.outline)
        for field, text in front.docinfo.items():
            out.docinfo[field] = text
        data = io.BytesIO()
        out.save(
            data,
            min_version=front.pdf_version,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            deterministic_id=True,
        )
        for src in self.sources:
            src.close()
        return data.getvalue()


def _drop_stand_ins(document: pikepdf.Object) -> None:
    """Remove the stand-in anchors' elements (the body's last element: a Div of empty Links) from a part's tree."""
    from pikepdf import Name

    last = document.K[len(document.K) - 1]
    kids = list(last.K)
    if last.S != Name.Div or not kids or any(k.S != Name.Link or len(k.K) for k in kids):
        raise RuntimeError("a part's structure tree does not end with its stand-in anchors")
    del document.K[len(document.K) - 1]


def _copy_outline(
    items: list[pikepdf.OutlineItem], out: pikepdf.Pdf, first: int, index: dict[tuple[int, int], int]
) -> list[pikepdf.OutlineItem]:
    """Copy a part's outline entries, pointing them at the joined document's pages."""
    from pikepdf import Array, Name, OutlineItem

    copied = []
    for item in items:
        dest = cast(Array, item.destination)
        page = out.pages[first + index[dest[0].objgen]].obj
        entry = OutlineItem(str(item.title), destination=Array([page, Name.XYZ, dest[2], dest[3], 0]))
        entry.is_closed = item.is_closed
        entry.children.extend(_copy_outline(item.children, out, first, index))
        copied.append(entry)
    return copied


def _stamp(page: pikepdf.Page, footer: pikepdf.Object) -> None:
    """Draw a footer (a form XObject) over a page, marked as a pagination artifact for assistive technology."""
    from pikepdf import Dictionary, Name

    # WeasyPrint's pages share one resource dictionary: give this page its own before adding to it.
    resources = Dictionary(dict(page.obj.get(Name.Resources, Dictionary()).items()))
    xobjects = Dictionary(dict(resources.get(Name.XObject, Dictionary()).items()))
    xobjects[FOOTER] = footer
    resources[Name.XObject] = xobjects
    page.obj.Resources = resources
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(
        b"Q\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\nq\n" + FOOTER.encode() + b" Do\nQ\nEMC\n"
    )
