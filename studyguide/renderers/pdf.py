"""The printable guide: the model through a jinja2 template and a print stylesheet into WeasyPrint."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import unquote, urlparse

from markupsafe import Markup

from ..markup import to_html
from ..model import Guide
from ..rich import css_for_pdf, hooks_for_pdf
from .base import Options, build_epoch, environment


class SafeFetcher:
    """A WeasyPrint URL fetcher that reads only files inside the allowed folders and never the network."""

    def __init__(self, roots: list[Path]) -> None:
        self.roots = [root.resolve() for root in roots]
        self.refused: list[str] = []

    def allows(self, url: str) -> Path | None:
        """Return the local file a URL names, if it is inside an allowed folder."""
        parsed = urlparse(url)
        if parsed.scheme != "file":
            return None
        path = Path(unquote(parsed.path)).resolve()
        if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
            return path
        return None


def make_fetcher(roots: list[Path]) -> tuple[SafeFetcher, object]:
    """Return the policy and a WeasyPrint URLFetcher that applies it."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    policy = SafeFetcher(roots)

    class Fetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            path = policy.allows(url)
            if path is None:
                policy.refused.append(url)
                raise FatalURLFetchingError(f"refused to load {url}")
            return URLFetcherResponse(url, body=path.read_bytes())

    return policy, Fetcher()


class PdfRenderer:
    """Writes `<guide-id>.pdf`."""

    name = "pdf"
    description = "printable study guide (PDF, A4 or US Letter)"

    def filename(self, guide: Guide, options: Options) -> str:
        """Return `<guide-id>.pdf` (`-letter` for US Letter paper)."""
        suffix = "" if options.paper == "a4" else f"-{options.paper}"
        return f"{guide.meta.id}{suffix}.pdf"

    def html(self, guide: Guide, options: Options) -> str:
        """Return the print HTML that WeasyPrint lays out."""
        env = environment(options.templates)
        hooks, _formulas = hooks_for_pdf(guide, options)
        answers = {q.id: Markup(to_html(q.answer, hooks)) for q in guide.questions}
        cores = {q.id: Markup(to_html(q.core, hooks)) if q.core else None for q in guide.questions}
        css = env.get_template("pdf/print.css").render(paper=options.paper) + css_for_pdf()
        return env.get_template("pdf/guide.html").render(
            guide=guide, meta=guide.meta, answers=answers, cores=cores, css=Markup(css)
        )

    def render(self, guide: Guide, options: Options) -> bytes:
        """Lay out the guide and return the PDF bytes."""
        import weasyprint

        policy, fetcher = make_fetcher([guide.root, options.templates])
        document = weasyprint.HTML(
            string=self.html(guide, options), base_url=str(guide.root.resolve()) + "/", url_fetcher=fetcher
        ).render()
        out = io.BytesIO()
        document.write_pdf(out, pdf_identifier=guide.meta.id.encode(), uncompressed_pdf=False)
        _ = build_epoch
        return out.getvalue()
