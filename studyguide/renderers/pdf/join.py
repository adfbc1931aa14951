"""Joining laid-out parts into one tagged PDF file: pages, structure tree, destinations, outline, footers, fonts.

The join streams: each part's file is opened, its objects written to the joined file (`copying`),
and closed before the next, so memory holds one part at a time and, of the whole guide, only what
the end of the file needs: per page a few references, per anchor and outline entry its place, per
font its merged subset (`fonts`). The page objects themselves are written last, when the footers
("page X of Y", laid out once the page count is known) can be stamped on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from studyguide.renderers.pdf.copying import Copier, indirect, nodes, skipped_tree
from studyguide.renderers.pdf.fonts import Fonts
from studyguide.renderers.pdf.outline import Entry, destination, outline_entries, write_outline
from studyguide.renderers.pdf.pages import Page, Shared, blank_page, footer_forms, read_page, write_pages
from studyguide.renderers.pdf.writer import Writer, inner

if TYPE_CHECKING:
    import pikepdf

CATALOG_OWN = ("/Type", "/Pages", "/StructTreeRoot", "/Names", "/Outlines")  # the entries the join writes itself


@dataclass(frozen=True)
class Laid:
    """What a worker reports of one layout: its page count, and the page (from 0) of each anchor it holds."""

    pages: int
    anchors: dict[str, int]
    elsewhere: frozenset[str]  # stand-in anchors for targets held by another part
    path: str | None
    nested: bool = False  # its outline continues the previous part's last entry (later runs of answers)


@dataclass
class Front:
    """What the joined file takes from the front matter: catalog entries, document information, identifier."""

    catalog: bytes = b""
    info: bytes = b""
    identifier: bytes = b"[ () () ]"
    document: bytes = b""  # the Document element's entries but its kids
    version: str = "1.7"


@dataclass
class Structure:
    """The joined structure tree: the Document element's kids and the parent tree's entries."""

    front: list[bytes] = field(default_factory=list)
    body: list[bytes] = field(default_factory=list)
    parents: list[tuple[int, bytes]] = field(default_factory=list)
    next_key: int = 0


class Joined:
    """The joined PDF, written part by part to `path`: the body parts, the front matter's (in order), the footers."""

    def __init__(self, path: Path, merge_fonts: bool = True) -> None:
        self.path = path
        self.file = path.open("wb")
        self.merge_fonts = merge_fonts
        self.writer: Writer | None = None
        self.front_pages: list[Page] = []
        self.body_pages: list[Page] = []
        self.structure = Structure()
        self.destinations: dict[str, bytes] = {}
        self.outline: list[Entry] = []
        self.front_outline: list[Entry] = []
        self.front = Front()
        self.footers: list[int] = []
        self.fonts: Fonts | None = None
        self.catalog = self.pages = self.root = self.document = 0  # the join's own objects' numbers

    def _start(self, src: pikepdf.Pdf) -> tuple[Writer, Fonts]:
        """Return the file's writer (started with the first part's PDF version) and reserve the join's own objects."""
        if self.writer is None or self.fonts is None:
            self.writer = Writer(self.file, str(src.pdf_version))
            self.fonts = Fonts(self.writer, self.merge_fonts)
            self.catalog, self.pages, self.root, self.document = (self.writer.allocate() for _ in range(4))
        return self.writer, self.fonts

    def _open(self, src: pikepdf.Pdf, front: bool) -> Copier:
        """Start copying a part: skip its catalog, page tree, outline and names (the join writes its own)."""
        import pikepdf

        writer, fonts = self._start(src)
        copier = Copier(writer, src)
        root = src.Root
        if set(root.Pages.keys()) - {"/Type", "/Kids", "/Count"}:
            raise RuntimeError("a part's page tree holds inherited attributes, which the join does not carry")
        copier.skip |= indirect([root, root.Pages, src.trailer.get("/Info")])
        copier.skip |= indirect([v for k, v in root.items() if not front or k in CATALOG_OWN])
        copier.skip |= indirect(list(nodes(root.get("/Outlines"), "/First", "/Next")))
        names = root.get("/Names")
        copier.skip |= skipped_tree(names.get("/Dests") if names is not None else None, "/Kids", "/Names")
        for obj in src.objects:  # the part's fonts: merged with the other parts' of the same name where they agree
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font" and obj.get("/Subtype") == "/Type0":
                taken = fonts.take(obj)
                if taken is not None:
                    copier.redirect[obj.objgen[0]] = taken[0]
                    copier.skip |= taken[1] - {obj.objgen[0]}
        return copier

    def add(self, laid: Laid, front: bool = False, blank: int = 0) -> None:
        """Copy a part: its pages after the body's, or (`front`) after the front matter's, then `blank` empty ones."""
        import pikepdf

        assert laid.path is not None
        with pikepdf.open(laid.path) as src:
            copier = self._open(src, front)
            pages = list(src.pages)
            copier.later |= {page.obj.objgen[0] for page in pages}
            keys = self._renumber_keys(pages)
            kids, parents = self._structure(src.Root.StructTreeRoot, copier, laid)
            copier.copy()
            shared: Shared = {}
            records = [read_page(page.obj, copier, shared) for page in pages]
            self._record(src, copier, laid, front, kids, parents)
            self.structure.next_key += keys
            box = copier.syntax(pages[0].obj.MediaBox)
        if front:
            self.front_pages += records + [blank_page(copier.writer, box) for _ in range(blank)]
        else:
            self.body_pages += records

    def _renumber_keys(self, pages: list[pikepdf.Page]) -> int:
        """Put a part's structure-parent keys after those already in; return how many it uses."""
        from pikepdf import Array, Name

        keys, base = 0, self.structure.next_key
        for page in pages:
            for holder in [page.obj, *page.obj.get(Name.Annots, Array())]:
                for key in (Name.StructParents, Name.StructParent):
                    if key in holder:
                        keys = max(keys, int(holder[key]) + 1)
                        holder[key] = int(holder[key]) + base
        return keys

    def _structure(
        self, tree: pikepdf.Object, copier: Copier, laid: Laid
    ) -> tuple[list[pikepdf.Object], list[tuple[int, pikepdf.Object]]]:
        """Skip a part's structure root and Document element (the join has one of each); return its kids and parents."""
        import pikepdf

        document = tree.K[0] if isinstance(tree.K, pikepdf.Array) else tree.K
        kids = list(document.K) if isinstance(document.K, pikepdf.Array) else [document.K]
        if laid.elsewhere:  # the stand-in anchors: the body's last element, a Div of empty Links
            last = kids.pop()
            links = list(last.K)
            if last.S != pikepdf.Name.Div or not links or any(k.S != pikepdf.Name.Link or len(k.K) for k in links):
                raise RuntimeError("a part's structure tree does not end with its stand-in anchors")
            copier.skip |= indirect([last, *links])
        copier.redirect[document.objgen[0]] = self.document
        copier.skip |= indirect([tree]) | skipped_tree(tree.get("/ParentTree"), "/Kids", "")
        parents = []
        for node in nodes(tree.get("/ParentTree"), "/Kids"):
            pairs = list(node.get("/Nums", pikepdf.Array()))
            parents += [(int(pairs[j]) + self.structure.next_key, pairs[j + 1]) for j in range(0, len(pairs), 2)]
        if not self.front.document:
            items = {k: v for k, v in document.items() if k not in ("/K", "/P", "/Type", "/S")}
            self.front.document = inner(copier.syntax(pikepdf.Dictionary(items))) or b" "
        return kids, parents

    def _record(
        self,
        src: pikepdf.Pdf,
        copier: Copier,
        laid: Laid,
        front: bool,
        kids: list[pikepdf.Object],
        parents: list[tuple[int, pikepdf.Object]],
    ) -> None:
        """Keep what the end of the file needs from a part: kids, parent-tree entries, destinations, outline."""
        import pikepdf

        (self.structure.front if front else self.structure.body).extend(copier.reference(k) for k in kids)
        writer = copier.writer
        for key, value in parents:
            if value.is_indirect:
                self.structure.parents.append((key, copier.reference(value)))
            else:  # a page's marked contents: written as an object of its own
                number = writer.allocate()
                writer.add(number, copier.syntax(value))
                self.structure.parents.append((key, b"%d 0 R" % number))
        names = src.Root.get("/Names")
        if names is not None and "/Dests" in names:
            for name, dest in pikepdf.NameTree(names.Dests).items():
                if name not in laid.elsewhere and name not in self.destinations:
                    self.destinations[name] = destination(dest, copier.number)
        with src.open_outline() as part_outline:
            entries = outline_entries(part_outline.root, copier.number)
        if front:
            self.front_outline += entries
        elif laid.nested and self.outline:  # later answers: under the "Answers" entry
            self.outline[-1].children.extend(entries)
        else:
            self.outline += entries
        if front:
            items = {k: v for k, v in src.Root.items() if k not in CATALOG_OWN}
            self.front.catalog = inner(copier.syntax(pikepdf.Dictionary(items)))
            self.front.info = inner(copier.syntax(src.trailer.Info)) if "/Info" in src.trailer else b""
            self.front.identifier = copier.syntax(src.trailer.ID) if "/ID" in src.trailer else self.front.identifier
            self.front.version = str(src.pdf_version)

    def stamp(self, footers: list[Laid]) -> None:
        """Copy the footers' pages as form XObjects, one for each page from the second (the cover has none)."""
        import pikepdf

        for laid in footers:
            assert laid.path is not None
            with pikepdf.open(laid.path) as src:
                copier = self._open(src, front=False)
                self.footers += footer_forms(src, copier)
                copier.copy()

    def save(self) -> None:
        """Write the pages, fonts, structure tree, destinations, outline and catalog, and close the file."""
        writer, fonts = self.writer, self.fonts
        assert writer is not None and fonts is not None
        write_pages(writer, self.pages, self.front_pages + self.body_pages, self.footers)
        fonts.write()
        self._save_structure(writer)
        self._save_catalog(writer)
        self.file.close()

    def _save_structure(self, writer: Writer) -> None:
        """Write the one structure root, Document element and parent tree."""
        structure = self.structure
        kids = b" ".join(structure.front + structure.body)
        writer.add(
            self.document,
            b"<< /Type /StructElem /S /Document /P %d 0 R /K [ %s ] %s >>" % (self.root, kids, self.front.document),
        )
        tree = writer.allocate()
        nums = b" ".join(b"%d %s" % pair for pair in sorted(structure.parents))
        writer.add(tree, b"<< /Nums [ %s ] >>" % nums)
        writer.add(
            self.root,
            b"<< /Type /StructTreeRoot /K [ %d 0 R ] /ParentTree %d 0 R /ParentTreeNextKey %d >>"
            % (self.document, tree, structure.next_key),
        )

    def _save_catalog(self, writer: Writer) -> None:
        """Write the named destinations, the outline, the catalog and the document information; finish the file."""
        import pikepdf

        dests = writer.allocate()
        named = sorted((bytes(pikepdf.String(k)), pikepdf.String(k).unparse(), v) for k, v in self.destinations.items())
        writer.add(dests, b"<< /Names [ %s ] >>" % b" ".join(b"%s %s" % (key, target) for _, key, target in named))
        outline = write_outline(writer, self.front_outline + self.outline)
        front = self.front
        entries = [b"/Type /Catalog /Pages %d 0 R /StructTreeRoot %d 0 R" % (self.pages, self.root)]
        entries.append(b"/Names << /Dests %d 0 R >> %s" % (dests, front.catalog))
        if outline is not None:
            entries.append(b"/Outlines %d 0 R" % outline)
        if front.version > writer.version:  # a later version than the file's header says
            entries.append(b"/Version /%s" % front.version.encode())
        writer.add(self.catalog, b"<< %s >>" % b" ".join(entries))
        info = writer.allocate()
        writer.add(info, b"<< %s >>" % front.info)
        writer.finish(b"<< /Root %d 0 R /Info %d 0 R /ID %s >>" % (self.catalog, info, front.identifier))
