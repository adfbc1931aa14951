"""The study page: one self-contained HTML file."""

from __future__ import annotations

from markupsafe import Markup

from ..markup import Hooks, to_html
from ..model import Guide
from .base import Options, environment


class PageRenderer:
    """Writes `<guide-id>.html`."""

    name = "html"
    description = "self-contained HTML study page"

    def filename(self, guide: Guide, options: Options) -> str:
        """Return `<guide-id>.html`."""
        return f"{guide.meta.id}.html"

    def render(self, guide: Guide, options: Options) -> bytes:
        """Return the page's bytes."""
        env = environment(options.templates)
        hooks = Hooks()
        answers = {q.id: Markup(to_html(q.answer, hooks)) for q in guide.questions}
        cores = {q.id: Markup(to_html(q.core, hooks)) if q.core else None for q in guide.questions}
        css = env.get_template("page/style.css").render()
        html = env.get_template("page/index.html").render(
            guide=guide, meta=guide.meta, answers=answers, cores=cores, css=Markup(css)
        )
        return html.encode("utf-8")
