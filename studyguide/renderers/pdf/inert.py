"""A laid-out part read back from the cache is joined into the PDF only when a reader can do nothing with it but read.

The cache's checksum finds a part damaged on disk, not one planted whole. A PDF reader runs actions
from a few places only: the document's open action, additional actions (document, page, annotation),
its name trees of scripts and embedded files, forms, annotations and the outline. This opens the
part with pikepdf and looks at each of those places: a part WeasyPrint wrote has link annotations
(to a web or mail address, or a place in the guide), an outline and named destinations, and nothing
else there. Anything else (JavaScript, Launch, SubmitForm, ImportData, GoToR, a form, an embedded
file, another kind of annotation) refuses the part, which is then laid out anew.
"""

from __future__ import annotations

import io
from typing import Any

CATALOG_ACTING = frozenset({"/OpenAction", "/AA", "/AcroForm", "/Collection", "/Threads"})
NAMES_ALLOWED = frozenset({"/Dests"})  # not /JavaScript, /EmbeddedFiles, /AlternatePresentations, ...
ACTIONS = frozenset({"/URI", "/GoTo"})  # a link to an address, a link inside the document
SCHEMES = (b"http://", b"https://", b"mailto:")  # the addresses content may link to (validation checks them)
MAX_OUTLINE_ITEMS = 1_000_000  # an outline that loops is refused, not walked forever


def _link_action(action: Any) -> bool:
    """Tell whether an action is one link, to a web or mail address or a place in the document (nothing chained)."""
    import pikepdf

    if not isinstance(action, pikepdf.Dictionary) or "/Next" in action:
        return False
    kind = str(action.get("/S"))
    if kind == "/GoTo":
        return True
    uri = action.get("/URI")
    return kind == "/URI" and isinstance(uri, pikepdf.String) and bytes(uri).lower().startswith(SCHEMES)


def _annotations_inert(pdf: Any) -> bool:
    """Tell whether every page has no additional actions and only link annotations that are plain links."""
    for page in pdf.pages:
        if "/AA" in page.obj:
            return False
        for annotation in page.obj.get("/Annots", []):
            if str(annotation.get("/Subtype")) != "/Link" or "/AA" in annotation:
                return False
            if "/A" in annotation and not _link_action(annotation["/A"]):
                return False
    return True


def _outline_inert(root: Any) -> bool:
    """Tell whether every outline item's action (if any) is a plain link."""
    outlines = root.get("/Outlines")
    stack = [] if outlines is None or "/First" not in outlines else [outlines["/First"]]
    seen = 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > MAX_OUTLINE_ITEMS or ("/A" in item and not _link_action(item["/A"])) or "/AA" in item:
            return False
        stack.extend(item[key] for key in ("/First", "/Next") if key in item)
    return True


def pdf_inert(data: bytes) -> bool:
    """Tell whether a part's PDF bytes open and hold nothing a reader would run, open, submit or embed."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            root = pdf.Root
            if not CATALOG_ACTING.isdisjoint(root.keys()):
                return False
            if "/Names" in root and not set(root.Names.keys()) <= NAMES_ALLOWED:
                return False
            return _annotations_inert(pdf) and _outline_inert(root)
    except (pikepdf.PdfError, ValueError, TypeError, AttributeError, KeyError):
        return False
