"""The study page: one self-contained HTML file with inline CSS, JS and images."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

import rjsmin
from markupsafe import Markup

from studyguide.i18n import Messages
from studyguide.markup import Hooks, highlight, notes_html, plain_checkbox, to_html
from studyguide.markup.alerts import NOTATION_CSS, alert_colours
from studyguide.markup.math.svg import Formulas
from studyguide.markup.places import MATH_CSS, svg_hooks
from studyguide.model import Guide, Question
from studyguide.renderers.base import Renderer, alert_hook, counts, environment, messages, task_boxes
from studyguide.stages import Job, Options, Resources

if TYPE_CHECKING:
    import jinja2

PAGE_MATH_SCALE = 1.2  # the page's sans-serif text has a larger x-height than the Pagella the formulas match
# The page scrolls a formula wider than the column, never shrinks it, and shows its start (left) first: a
# display formula in its block, an inline one (or one piece of it) wider than SCROLL_EM in a box of its own.
# A formula and the punctuation right after it share a line (a split formula still breaks between pieces).
SCROLL_EM = 12.0
SCROLL_CSS = """\
.math.display { overflow-x: auto; overflow-y: hidden; direction: ltr; }
.math.display svg { max-width: none; }
.math-scroll { display: inline-block; max-width: 100%; overflow-x: auto; overflow-y: hidden; direction: ltr; }
.math-scroll > svg { display: block; max-width: none; }
.math-tail { white-space: nowrap; }
.math-tail > .math-split { white-space: normal; }
.math-tail > .math-split > .math-last { white-space: nowrap; }
"""
# Callouts, <details> and <mark> in the page's colours, light and dark.
NOTATION_COLOURS = (
    "details.block { --details-line: var(--line); } details.block > summary { cursor: pointer; }\n"
    "mark { background: #fff1a8; color: #1b1f24; }\n"
    "@media (prefers-color-scheme: dark) {\n"
    + alert_colours(dark=True)
    + "mark { background: #5c4d00; color: #f3f4f6; }\n"
    ".diagram svg { filter: invert(1) hue-rotate(180deg); }\n}\n"
)
# The spaced-repetition scheduler: a byte-for-byte copy of ts-fsrs's browser build (see tests/test_study.py).
VENDOR = "page/vendor/ts-fsrs.umd.js"
# Our scripts, inlined in this order after the library: the list's filters, then study mode (the
# scheduler, the stored progress, a question's study items (its clozes or directions), the session,
# then its settings, statistics and interview plan).
SCRIPTS = (
    "script.js",
    "study-schedule.js",
    "study-store.js",
    "study-items.js",
    "study.js",
    "study-settings.js",
    "study-stats.js",
    "study-plan.js",
)


@dataclass(frozen=True)
class Entry:
    """One question as the page template shows it: its rendered parts."""

    question: Question
    number: int
    core: Markup | None
    answer: Markup
    sources: Markup | None
    see_also: tuple[tuple[str, str], ...]
    notes: Markup | None = None


def note_hooks(question: Question, hooks: Hooks, words: Messages) -> tuple[Hooks, Callable[[str, str], str]]:
    """Return one question's hooks whose footnote references link to its notes, and the notes' list items linking back.

    Ids are `fn_<question>_<n>` and `fnref_<question>_<n>`: question ids never hold "_", so they
    cannot clash; a note referred to twice links back to its first reference.
    """
    referred: set[str] = set()

    def reference(number: str) -> str:
        anchor = f"{question.id}_{number}"
        own = "" if number in referred else f' id="fnref_{escape(anchor)}"'
        referred.add(number)
        return f'<sup class="footnote-ref"><a href="#fn_{escape(anchor)}"{own}>{escape(number)}</a></sup>'

    def item(number: str, inner: str) -> str:
        anchor = escape(f"{question.id}_{number}")
        name = escape(words.text("back-to-reference", "back to reference %(number)s", number=number))
        back = f'<a class="footnote-back" href="#fnref_{anchor}" aria-label="{name}">↩</a>'
        if inner.endswith("</p>"):  # the way back ends the note's last paragraph
            return f'<li id="fn_{anchor}">{inner[:-4]} {back}</p></li>'
        return f'<li id="fn_{anchor}">{inner} {back}</li>'

    return dataclasses.replace(hooks, footnote_ref=reference), item


def focusable(code: Callable[[str, str], str]) -> Callable[[str, str], str]:
    """Return a code hook whose block can take the keyboard's focus: a long line scrolls it sideways (axe-core)."""
    return lambda text, lang: code(text, lang).replace("<pre", '<pre tabindex="0"', 1)


def shown_count(words: Messages, shown: int | str, total: int) -> str:
    """Return "N of M questions" in the guide's language (N may be the script's "{shown}")."""
    return words.plural(
        "shown-count", "%(shown)s of %(num)d question", "%(shown)s of %(num)d questions", total, shown=shown
    )


def script_words(words: Messages, total: int) -> dict[str, str]:
    """Return the words the page's script writes, which it reads from the page."""
    return {
        "shown": shown_count(words, "{shown}", total),
        "copied": words.text("link-copied", "Link copied"),
        "addressBar": words.text("link-in-address-bar", "Link in address bar"),
        "zoom": words.text("image-full-size", "Show at full size"),
    }


def script_hash(script: str) -> str:
    """Return the CSP source that allows exactly this inline script."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def page_script(env: jinja2.Environment) -> str:
    """Return the page's one script: the scheduler library (ts-fsrs, as npm ships it, minified), then ours (minified).

    The library is read as it is, not rendered as a template (its code may hold jinja2's delimiters);
    rjsmin only takes out comments and spaces (no minified build ships with the package; ours stay
    readable in the templates).
    """
    assert env.loader is not None
    library, _, _ = env.loader.get_source(env, VENDOR)
    parts = [rjsmin.jsmin(library), *(rjsmin.jsmin(env.get_template(f"page/{name}").render()) for name in SCRIPTS)]
    script = '"use strict";\n' + "\n".join(parts)
    if "</script" in script.lower():
        raise ValueError("the page's script must not contain '</script'")
    return script


def hooks_for_page(resources: Resources) -> tuple[Hooks, Formulas]:
    """Return the page hooks; after rendering, `Formulas.defs()` is the one hidden glyph block."""
    return svg_hooks(resources, shared=True, inline_images=True, scale=PAGE_MATH_SCALE, scroll_em=SCROLL_EM)


def css_for_page() -> str:
    """Return the page's CSS for code, math and images: light code, and dark when the system prefers it."""
    code = f"{highlight.light_css()}\n@media (prefers-color-scheme: dark) {{\n{highlight.dark_css('html')}\n}}\n"
    return code + MATH_CSS + SCROLL_CSS + NOTATION_CSS + alert_colours() + NOTATION_COLOURS


class PageRenderer(Renderer):
    """Writes `<guide-id>.html`."""

    name = "html"
    description = "self-contained HTML study page"
    needs = frozenset({"formulas", "diagrams", "images"})
    templates = ("page",)

    def filename(self, guide: Guide, options: Options) -> str:
        """Return `<guide-id>.html`."""
        return f"{guide.meta.id}.html"

    def entries(self, guide: Guide, hooks: Hooks, words: Messages) -> dict[str, Entry]:
        """Render every question once; map question id to its entry."""
        entries = {}
        for number, q in enumerate(guide.questions, start=1):
            own, item = note_hooks(q, hooks, words) if q.footnotes else (hooks, None)
            entries[q.id] = Entry(
                question=q,
                number=number,
                core=Markup(to_html(q.core, own)) if q.core else None,
                answer=Markup(to_html(q.answer, own)),
                sources=Markup(to_html(q.sources, own)) if q.sources else None,
                see_also=tuple((other, guide.question(other).title) for other in q.see_also),
                notes=Markup(notes_html(q.footnotes, own, item)) if q.footnotes else None,
            )
        return entries

    def render(self, job: Job, prepared: object = None) -> bytes:
        """Return the page's bytes."""
        guide, options = job.guide, job.options
        env = environment(options.templates)
        script = page_script(env)
        tags = sorted({tag for q in guide.questions for tag in q.tags})
        hooks, formulas = hooks_for_page(job.resources)
        hooks = dataclasses.replace(
            hooks,
            checkbox=task_boxes(guide.meta, plain_checkbox),
            code=focusable(hooks.code),
            alert=alert_hook(guide.meta),
            glue=True,
        )
        words = messages(guide.meta)
        entries = self.entries(guide, hooks, words)
        html = env.get_template("page/index.html").render(
            **words.functions(),
            direction=words.direction,
            counts=counts(guide, words),
            shown=lambda total: shown_count(words, total, total),
            words=script_words(words, len(guide.questions)),
            guide=guide,
            meta=guide.meta,
            entries=entries,
            tags=tags,
            css=Markup(env.get_template("page/style.css").render() + css_for_page()),
            math_defs=Markup(formulas.defs()),
            script=Markup(script),
            script_hash=script_hash(script),
        )
        return html.encode("utf-8")
