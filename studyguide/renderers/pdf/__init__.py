"""The printable guide: the model through a jinja2 template and a print stylesheet into WeasyPrint.

`layout` makes one layout (print HTML, stylesheet, the fetcher that loads only allowed files);
a long guide is laid out in `parts` on every core and the parts are joined into one tagged PDF
by `join`.
"""

from __future__ import annotations

import io

from studyguide.model import Guide
from studyguide.renderers.base import Renderer
from studyguide.renderers.pdf.layout import Printer
from studyguide.renderers.pdf.parts import plan, render_in_parts
from studyguide.stages import Job, Options


class PdfRenderer(Renderer):
    """Writes `<guide-id>.pdf` (`-letter`, `-quiz` in the name for other paper and the self-test edition)."""

    name = "pdf"
    description = "printable study guide (PDF, A4 or US Letter, full or self-test edition)"
    needs = frozenset({"formulas", "diagrams", "images"})
    templates = ("pdf",)
    costly = True

    def filename(self, guide: Guide, options: Options) -> str:
        """Return `<guide-id>[-letter][-quiz].pdf`."""
        paper = "" if options.paper == "a4" else f"-{options.paper}"
        edition = "" if options.edition == "full" else f"-{options.edition}"
        return f"{guide.meta.id}{paper}{edition}.pdf"

    def render(self, job: Job, prepared: object = None) -> bytes:
        """Lay out the guide and return the PDF bytes: whole, or in parts when it is long."""
        printer = Printer(job)
        parts = plan(job.guide, job.options)
        if parts:
            return render_in_parts(printer, parts)
        out = io.BytesIO()
        printer.write(printer.layout(printer.html()), out)
        return out.getvalue()
