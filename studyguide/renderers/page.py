"""The study page: one self-contained HTML file."""

from __future__ import annotations

from markupsafe import Markup

from ..markup import to_html
from ..model import Guide
from ..rich import css_for_page, hooks_for_page
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
        hooks, formulas = hooks_for_page(guide, options)
        answers = {q.id: Markup(to_html(q.answer, hooks)) for q in guide.questions}
        cores = {q.id: Markup(to_html(q.core, hooks)) if q.core else None for q in guide.questions}
        css = env.get_template("page/style.css").render() + css_for_page()
        html = env.get_template("page/index.html").render(
            guide=guide, meta=guide.meta, answers=answers, cores=cores, css=Markup(css),
            math_defs=Markup(formulas.defs()),
        )
        return html.encode("utf-8")
