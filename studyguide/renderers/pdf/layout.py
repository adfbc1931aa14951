"""One WeasyPrint layout of the printed guide (whole, or one part): print HTML, stylesheet, safe fetching, writing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import IO, TYPE_CHECKING

from markupsafe import Markup

from studyguide.markup import Hooks, highlight, inline_html, to_html
from studyguide.markup.alerts import NOTATION_CSS, PRINTED_NOTATION, alert_colours
from studyguide.markup.math.svg import Formulas
from studyguide.markup.places import MATH_CSS, paper_blocks, printed_checkbox, printed_code, printed_text, svg_hooks
from studyguide.model import Guide, Node, Question, cloze_numbers
from studyguide.renderers.base import alert_hook, counts, environment, messages, task_boxes
from studyguide.renderers.paper import RefusedResource, fonts_dated, make_fetcher, refusal
from studyguide.renderers.pdf.footnote_area import measured_footnotes
from studyguide.renderers.pdf.speedups import faster_writing
from studyguide.renderers.pdf.words import print_words
from studyguide.stages import Job, Resources
from studyguide.store.cache import Cache

if TYPE_CHECKING:
    import weasyprint

EDITIONS = ("full", "quiz")
LONG_ANSWER_WORDS = 350  # above this an answer rarely fits a page: let it start at once and break between blocks
LONG_CODE_LINES = 30  # as many lines of code fill half a page: a question holding more breaks like a long one
ANSWER_PREFIX = "answer_"  # question ids never hold "_", so "answer_<id>" cannot clash with one


@dataclass(frozen=True)
class Part:
    """What one WeasyPrint layout holds: the whole guide by default, or a run of it (see pdfparts)."""

    front: bool = True  # the cover and the contents
    sections: tuple[str, ...] | None = None  # ids of the sections laid out; None: every section
    answers: bool = True  # the self-test edition's answers
    answer_sections: tuple[str, ...] | None = None  # ids of the sections whose answers are laid out; None: all
    pages: Mapping[str, int] | None = None  # each contents entry's printed page; None: WeasyPrint counts them
    headers: bool = True  # the running header (guide title, section)
    footer: bool = True  # "page X of Y" in the bottom margin
    total: int | None = None  # Y as a number (a part does not know the joined guide's page count)
    first_page: int | None = None  # the page number of the part's first page; None: 1
    contents: tuple[str, ...] | None = None  # ids of the sections the contents lists here (a run of them); None: all

    def cover(self, guide: Guide) -> bool:
        """Return whether this layout holds the cover and the contents' heading (the front matter's first run)."""
        return self.front and (self.contents is None or guide.sections[0].id in self.contents)


WHOLE = Part()


def hooks_for_pdf(resources: Resources, cache: Cache | None = None) -> tuple[Hooks, Formulas]:
    """Return the print hooks: self-contained SVGs (WeasyPrint draws each alone; kept in `cache`) and file URLs."""
    hooks, formulas = svg_hooks(resources, shared=False, inline_images=False, cache=cache)
    return dataclasses.replace(hooks, checkbox=printed_checkbox, code=printed_code, text=printed_text), formulas


def css_for_pdf() -> str:
    """Return the PDF's CSS for code, math and images: the light code style, wrapped rather than scrolled."""
    return highlight.light_css(scroll=False) + "\n" + MATH_CSS + NOTATION_CSS + alert_colours() + PRINTED_NOTATION


def iso_date(epoch: int) -> str:
    """Return a W3C date-time for the PDF metadata."""
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


ID = re.compile(r'\sid="([^"]*)"')
LOCAL_LINK = re.compile(r'\shref="#([^"]*)"')


def stand_ins(html: str) -> list[str]:
    """Return the link targets the HTML names but does not hold (they are in another part), in first-use order."""
    held = set(ID.findall(html))
    return [target for target in dict.fromkeys(LOCAL_LINK.findall(html)) if target not in held]


def with_stand_ins(html: str) -> tuple[str, list[str]]:
    """Give every link target laid out elsewhere an empty anchor here, so WeasyPrint keeps the link.

    WeasyPrint drops a link whose target is not in the document it lays out; the joined PDF points
    each link at the anchor in the part that really holds it (pdfparts.Joined). Returns the HTML and
    the stand-ins' ids.
    """
    missing = stand_ins(html)
    if not missing:
        return html, missing
    head, end, tail = html.rpartition("</body>")
    anchors = "".join(f'<a id="{target}"></a>' for target in missing)  # already escaped: taken from attributes
    return f'{head}<div class="elsewhere" aria-hidden="true">{anchors}</div>\n{end}{tail}', missing


def is_long(q: Question) -> bool:
    """Tell whether a question's answer is too long to keep whole on a page: its words, or its lines of code."""
    lines = sum(node.text.count("\n") + 1 for node in walk(q.answer) if node.kind == "fence")
    return len(q.answer_text().split()) > LONG_ANSWER_WORDS or lines > LONG_CODE_LINES


def walk(node: Node) -> Iterator[Node]:
    """Yield a node and all its descendants."""
    yield node
    for child in node.children:
        yield from walk(child)


def answered(guide: Guide, part: Part) -> tuple[Question, ...]:
    """Return the questions whose answers a self-test layout shows: none on the question pages, then each section's."""
    if not part.answers:
        return ()
    sections = [s for s in guide.sections if part.answer_sections is None or s.id in part.answer_sections]
    return tuple(q for s in sections for q in s.questions)


def keywords(guide: Guide) -> list[str]:
    """Return the guide's tags in first-use order."""
    return list(dict.fromkeys(tag for q in guide.questions for tag in q.tags))


def footnotes_in_place(question: Question, hooks: Hooks) -> Hooks:
    """Return hooks that print each of a question's notes where it is referred to, as a footnote of the page.

    The print stylesheet floats `.footnote` to the foot of the page (`float: footnote`), where
    WeasyPrint numbers it and leaves the number in the text.
    """
    if not question.footnotes:
        return hooks
    notes = {note.attr("number"): note for note in question.footnotes}

    def in_place(number: str) -> str:
        return f'<span class="footnote">{inline_html(notes[number], hooks)}</span>'

    return dataclasses.replace(hooks, footnote_ref=in_place)


def blank(number: str, hint: str, inner: str) -> str:
    """Print a cloze of the self-test edition as a blank to fill in, with its hint (the answers fill it in)."""
    return f'<span class="blank">{escape(hint)}</span>'


def cloze_text(question: Question, hooks: Hooks) -> Markup:
    """Return what a cloze question's self-test page shows: the parts that hold its clozes, each cloze a blank."""
    # The self-test page leaves the notes to the answers, where the filled-in text refers to them.
    hooks = dataclasses.replace(hooks, cloze=blank, footnote_ref=lambda number: "")
    parts = [(name, tree) for name, tree in (("core", question.core), ("answer", question.answer)) if tree is not None]
    return Markup(
        "".join(f'<div class="{name}">{to_html(tree, hooks)}</div>' for name, tree in parts if cloze_numbers(tree))
    )


class Printer:
    """Lays out one build's printed guide: the print hooks are made once and shared by every layout of it."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.guide = job.guide
        self.options = job.options
        self.words = messages(job.guide.meta)
        self.hooks: Hooks = dataclasses.replace(
            hooks_for_pdf(job.resources, job.cache)[0],
            checkbox=task_boxes(job.guide.meta, printed_checkbox),
            alert=alert_hook(job.guide.meta),
            details_open=True,
            direction=self.words.direction,  # WeasyPrint orders a line's pieces by their direction alone
        )

    def css(self, part: Part) -> str:
        """Return the print stylesheet for one layout."""
        options = self.options
        env = environment(options.templates)
        css = env.get_template("pdf/print.css").render(
            paper=options.paper,
            edition=options.edition,
            part=part,
            cover=part.cover(self.guide),
            **print_words(self.words, part.footer, part.total),
        )
        return css + css_for_pdf()

    def html(self, part: Part = WHOLE) -> str:
        """Return the print HTML that WeasyPrint lays out (all of it, or one part)."""
        return self.part_html(part)[0]

    def part_html(self, part: Part) -> tuple[str, list[str]]:
        """Return one part's print HTML, and the ids of the anchors that stand in for targets in other parts."""
        guide, options = self.guide, self.options
        if options.edition not in EDITIONS:
            raise ValueError(f"unknown PDF edition '{options.edition}' (known: {', '.join(EDITIONS)})")
        env = environment(options.templates)
        questions = guide.questions
        number = {q.id: index for index, q in enumerate(questions, start=1)}

        def reference(target: int) -> str:
            """Return "(question N)", the number kept on the line of the word before it."""
            text = self.words.text("question-reference", "(question %(num)s)", num=target)
            return text.replace(f" {target}", f"\u00a0{target}")

        def question_number(href: str) -> str:
            """Name the question a link leads to by its number, which the printed headings show."""
            target = number.get(href[1:]) if href.startswith("#") else None
            return f" {reference(target)}" if target is not None else ""

        hooks = dataclasses.replace(self.hooks, link_note=question_number)

        def html_of(q: Question, node: Node | None) -> Markup | None:
            return Markup(paper_blocks(to_html(node, footnotes_in_place(q, hooks)))) if node is not None else None

        # Only the answers this layout shows are rendered: a part of a long guide shows a few sections.
        quiz = options.edition == "quiz"
        sections = [s for s in guide.sections if part.sections is None or s.id in part.sections]
        laid = tuple(q for s in sections for q in s.questions)
        shown = laid if not quiz else answered(guide, part)
        html = env.get_template("pdf/guide.html").render(
            **self.words.functions(),
            direction=self.words.direction,
            counts=counts(guide, self.words),
            reference=reference,
            guide=guide,
            meta=guide.meta,
            quiz=quiz,
            number=number,
            titles={q.id: q.title for q in questions},
            long={q.id: is_long(q) for q in (*laid, *shown)},
            answers={q.id: html_of(q, q.answer) for q in shown},
            blanks={q.id: cloze_text(q, hooks) for q in laid if quiz and q.clozes},
            cores={q.id: html_of(q, q.core) for q in shown},
            sources={q.id: html_of(q, q.sources) for q in shown},
            answer_prefix=ANSWER_PREFIX,
            keywords=", ".join(keywords(guide)),
            created=iso_date(self.job.resources.epoch),
            css=Markup(self.css(part)),
            part=part,
            cover=part.cover(guide),
            toc_sections=[s for s in guide.sections if part.contents is None or s.id in part.contents],
            toc_last=part.contents is None or guide.sections[-1].id in part.contents,
        )
        return with_stand_ins(html)

    def layout(self, html: str, read: list[Path] | None = None) -> weasyprint.Document:
        """Lay out print HTML, fetching only allowed files (added to `read`); a refused one raises RefusedResource."""
        import weasyprint
        from weasyprint.urls import FatalURLFetchingError

        root, templates = self.guide.root, self.options.templates
        policy, fetcher = make_fetcher([root, templates])
        try:
            with measured_footnotes():  # each footnote laid out once, not once per note added to its page
                document = weasyprint.HTML(
                    string=html, base_url=str(root.resolve()) + "/", url_fetcher=fetcher
                ).render()
        except FatalURLFetchingError:
            if not policy.refused:
                raise
        if policy.refused:
            raise RefusedResource("\n".join(refusal(url, templates / "pdf") for url in dict.fromkeys(policy.refused)))
        if read is not None:
            read.extend(policy.read)
        return document

    def write(self, document: weasyprint.Document, target: str | IO[bytes], tagged: bool = True) -> None:
        """Write a laid-out document as PDF (tagged PDF/UA-1 unless it is only footers to stamp)."""
        variant = {"pdf_variant": "pdf/ua-1"} if tagged else {}
        with faster_writing(), fonts_dated(self.job.resources.epoch):
            document.write_pdf(target, pdf_identifier=self.guide.meta.id.encode(), **variant)
