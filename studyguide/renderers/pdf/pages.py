"""The joined file's pages: read from their parts as each is copied, written last with their footers stamped on.

A footer ("page X of Y", laid out on an otherwise empty page once the page count is known) is drawn
over its page as a form XObject, marked as a pagination artifact for assistive technology.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from studyguide.renderers.pdf.copying import Copier
from studyguide.renderers.pdf.writer import Writer, inner

if TYPE_CHECKING:
    import pikepdf

FOOTER = "/StudyguideFooter"  # the footer's resource name on every page (WeasyPrint's own names are short)
OPEN = b"q\n"  # before the page's own contents
CLOSE = b"Q\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\nq\n%s Do\nQ\nEMC\n" % FOOTER.encode()
OWN = ("/Type", "/Parent", "/Resources", "/Contents")  # the page entries written here


@dataclass(frozen=True)
class Page:
    """A page of the joined file, written last: its number, entries, resources and contents (PDF syntax)."""

    number: int
    entries: bytes
    resources: tuple[bytes, bytes]  # the resources but /XObject, and the /XObject entries (a part's pages share them)
    contents: bytes  # the content streams' references


Shared = dict[tuple[int, int], tuple[bytes, bytes]]  # a part's resource dictionaries already read


def read_page(page: pikepdf.Object, copier: Copier, shared: Shared) -> Page:
    """Return a page's record: its own entries, its resources (split to add the footer) and its contents."""
    import pikepdf

    entries = pikepdf.Dictionary({k: v for k, v in page.items() if k not in OWN})
    resources = page.get("/Resources", pikepdf.Dictionary())
    split = shared.get(resources.objgen) if resources.is_indirect else None
    if split is None:
        rest = pikepdf.Dictionary({k: v for k, v in resources.items() if k != "/XObject"})
        xobjects = resources.get("/XObject", pikepdf.Dictionary())
        split = (inner(copier.syntax(rest)), inner(copier.syntax(xobjects)))
        if resources.is_indirect:
            shared[resources.objgen] = split
    contents = page.Contents
    listed = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    references = b" ".join(copier.reference(c) for c in listed)
    return Page(copier.number(page.objgen[0]), inner(copier.syntax(entries)), split, references)


def blank_page(writer: Writer, box: bytes) -> Page:
    """Return an empty page of the given media box (blank pages keep the contents' numbers true)."""
    number, contents = writer.allocate(), writer.allocate()
    writer.add_stream(contents, b"<< >>", b"")
    return Page(number, b"/MediaBox " + box, (b"", b""), b"%d 0 R" % contents)


def footer_forms(src: pikepdf.Pdf, copier: Copier) -> list[int]:
    """Turn each page of a footers part into a form XObject (its content stream, given a box and resources)."""
    import pikepdf

    forms = []
    for page in src.pages:
        form = page.obj.Contents
        if not isinstance(form, pikepdf.Stream):
            raise RuntimeError("a footer page has more than one content stream")
        form.Type, form.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        form.BBox, form.Resources = page.obj.MediaBox, page.obj.Resources
        forms.append(copier.number(form.objgen[0]))
    copier.skip |= {page.obj.objgen[0] for page in src.pages}
    return forms


def write_pages(writer: Writer, parent: int, pages: list[Page], footers: list[int]) -> None:
    """Write the page tree `parent` and its pages, each footer stamped on its page from the second (not the cover)."""
    if len(footers) != len(pages) - 1:
        raise RuntimeError(f"{len(footers)} footers for {len(pages) - 1} pages")
    opening, closing = writer.allocate(), writer.allocate()
    writer.add_compressed(opening, b"<< >>", OPEN)
    writer.add_compressed(closing, b"<< >>", CLOSE)
    for k, page in enumerate(pages):
        rest, xobjects = page.resources
        contents = page.contents
        if k:
            xobjects = b"%s %s %d 0 R" % (xobjects, FOOTER.encode(), footers[k - 1])
            contents = b"%d 0 R %s %d 0 R" % (opening, contents, closing)
        resources = b"<< %s /XObject << %s >> >>" % (rest, xobjects)
        body = b"<< /Type /Page /Parent %d 0 R %s /Resources %s /Contents [ %s ] >>"
        writer.add(page.number, body % (parent, page.entries, resources, contents))
    kids = b" ".join(b"%d 0 R" % page.number for page in pages)
    writer.add(parent, b"<< /Type /Pages /Kids [ %s ] /Count %d >>" % (kids, len(pages)))
