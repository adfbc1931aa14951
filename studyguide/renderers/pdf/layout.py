"""One WeasyPrint layout of the printed guide (whole, or one part): print HTML, stylesheet, safe fetching, writing."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING
from urllib.parse import unquote, urlparse

from markupsafe import Markup

from ...dates import build_epoch, iso_date
from ...markup import Hooks, inline_html, to_html
from ...model import Guide, Node, Question
from ...rich import css_for_pdf, hooks_for_pdf, printed_checkbox
from ..base import Job, counts, environment, messages, task_boxes
from .speedups import faster_writing
from .words import print_words

if TYPE_CHECKING:
    import weasyprint

EDITIONS = ("full", "quiz")
LONG_ANSWER_WORDS = 350  # above this an answer rarely fits a page: let it start at once and break between blocks
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


class SafeFetcher:
    """A WeasyPrint URL fetcher policy: files inside the allowed folders and data: URLs, never the network."""

    def __init__(self, roots: list[Path]) -> None:
        self.roots = [root.resolve() for root in roots]
        self.refused: list[str] = []
        self.read: list[Path] = []  # every file given to WeasyPrint (a cached part is checked against them)

    def allows(self, url: str) -> Path | None:
        """Return the local file a URL names, if it is inside an allowed folder."""
        parsed = urlparse(url)
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parsed.path)).resolve()
        if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
            return path
        return None


def make_fetcher(roots: list[Path]) -> tuple[SafeFetcher, object]:
    """Return the policy and a WeasyPrint URLFetcher that applies it; a refused URL stops the build."""
    import urllib.request

    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    policy = SafeFetcher(roots)

    class Fetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            if url.startswith("data:"):  # inline data: decoded here, nothing is opened
                with urllib.request.DataHandler().data_open(urllib.request.Request(url)) as response:
                    return URLFetcherResponse(url, body=response.read(), headers=dict(response.headers))
            path = policy.allows(url)
            if path is None:
                policy.refused.append(url)
                raise FatalURLFetchingError(f"refused to load {url}")
            policy.read.append(path)
            return URLFetcherResponse(url, body=path.read_bytes())

    return policy, Fetcher()


class RefusedResource(RuntimeError):
    """The print templates asked for a file outside the content and template folders, or for a URL."""


def refusal(url: str, templates: Path) -> str:
    """Name the template file and line that refers to a refused URL."""
    tail = urlparse(url).path.rsplit("/", 1)[-1] or url
    for path in sorted((templates / "pdf").glob("*")):
        lines = path.read_text(encoding="utf-8", errors="replace").split("\n") if path.is_file() else []
        for number, line in enumerate(lines, start=1):
            if url in line or (tail and tail in line):
                return f"{path}:{number}: refused to load '{url}': only files inside the content and template folders"
    return f"{templates / 'pdf'}: refused to load '{url}': only files inside the content and template folders"


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


class Printer:
    """Lays out one build's printed guide: the print hooks are made once and shared by every layout of it."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.guide = job.guide
        self.options = job.options
        self.hooks: Hooks = dataclasses.replace(
            hooks_for_pdf(job.resources, job.cache)[0], checkbox=task_boxes(job.guide.meta, printed_checkbox)
        )
        self.words = messages(job.guide.meta)

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
            return Markup(to_html(node, footnotes_in_place(q, hooks))) if node is not None else None

        # Only the answers this layout shows are rendered: a part of a long guide shows a few sections.
        quiz = options.edition == "quiz"
        sections = [s for s in guide.sections if part.sections is None or s.id in part.sections]
        laid = tuple(q for s in sections for q in s.questions)
        # The self-test edition's question pages show no answers; the answers come after all questions.
        if not quiz:
            shown = laid
        elif part.answers:
            answered = [s for s in guide.sections if part.answer_sections is None or s.id in part.answer_sections]
            shown = tuple(q for s in answered for q in s.questions)
        else:
            shown = ()
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
            long={q.id: len(q.answer_text().split()) > LONG_ANSWER_WORDS for q in (*laid, *shown)},
            answers={q.id: html_of(q, q.answer) for q in shown},
            cores={q.id: html_of(q, q.core) for q in shown},
            sources={q.id: html_of(q, q.sources) for q in shown},
            answer_prefix=ANSWER_PREFIX,
            keywords=", ".join(keywords(guide)),
            created=iso_date(build_epoch(guide.meta)),
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
            document = weasyprint.HTML(string=html, base_url=str(root.resolve()) + "/", url_fetcher=fetcher).render()
        except FatalURLFetchingError:
            if not policy.refused:
                raise
        if policy.refused:
            raise RefusedResource("\n".join(refusal(url, templates) for url in dict.fromkeys(policy.refused)))
        if read is not None:
            read.extend(policy.read)
        return document

    def write(self, document: weasyprint.Document, target: str | IO[bytes], tagged: bool = True) -> None:
        """Write a laid-out document as PDF (tagged PDF/UA-1 unless it is only footers to stamp)."""
        variant = {"pdf_variant": "pdf/ua-1"} if tagged else {}
        with faster_writing():
            document.write_pdf(target, pdf_identifier=self.guide.meta.id.encode(), **variant)
