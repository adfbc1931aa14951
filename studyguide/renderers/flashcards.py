"""Printable flashcards: a PDF of cards to cut out, eight a sheet, each back printed behind its front.

A sheet is two pages: the fronts (section, question) and then the backs (the core answer, and the
answer when it fits). Printed on both sides with the long edge flipped, a back lands behind its
front: on the back page each row's columns are swapped. Text shrinks to fit a card, through a few
sizes; what does not fit at the smallest continues on the next card, with a note. How tall a text
is, WeasyPrint measures: every side is laid out once in a column of the card's width, and only the
sides that do not fit are laid out again at the next size (a hand-made estimate of line breaks
would lose text to the card's edge).
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from studyguide.markup import Hooks, highlight, notes_html, to_html
from studyguide.markup.places import MATH_CSS, printed_checkbox, printed_code, svg_hooks
from studyguide.model import Guide, Node, Question
from studyguide.renderers.base import Renderer, environment, messages, task_boxes
from studyguide.renderers.paper import RefusedResource, make_fetcher, refusal
from studyguide.stages import Job, Options

if TYPE_CHECKING:
    import weasyprint

PAPER_MM = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
COLUMNS, ROWS, MARGIN_MM, PADDING_MM, LABEL_MM = 2, 4, 10.0, 4.0, 5.0
FRONT_SIZES = (15.0, 13.0, 11.0, 9.0)  # points: a question's size, shrinking until it fits
BACK_SIZES = (12.0, 10.5, 9.0, 8.0, 7.0)
FULL = 8.5  # points: the smallest size at which a back holds the answer as well as the core answer
PX_PER_MM = 96 / 25.4  # WeasyPrint measures in CSS pixels


@dataclass(frozen=True)
class Side:
    """One side of a card: its HTML and the size it is set in (points)."""

    html: Markup
    size: float


@dataclass(frozen=True)
class Card:
    """One card: its number, the section it belongs to, both sides, and a note when its answer goes on."""

    number: int
    section: str
    front: Side
    back: Side
    note: str = ""


@dataclass(frozen=True)
class Sheet:
    """The geometry of a sheet of cards, in millimetres."""

    width: float
    height: float

    @property
    def card(self) -> tuple[float, float]:
        """Return a card's width and height."""
        return (self.width - 2 * MARGIN_MM) / COLUMNS, (self.height - 2 * MARGIN_MM) / ROWS

    def text(self, front: bool) -> tuple[float, float]:
        """Return the width and height of the text on a card: inside its padding, beside its label lines
        (a front names its section above and its number below; a back, its number and any note below)."""
        width, height = self.card
        return width - 2 * PADDING_MM, height - 2 * PADDING_MM - (2 if front else 1) * LABEL_MM

    def place(self, slot: int, back: bool, rtl: bool) -> tuple[float, float]:
        """Return where a card slot's left and top edges are: a back behind its front when the long edge flips."""
        row, column = divmod(slot, COLUMNS)
        if rtl:  # the first card of a right-to-left guide is at the top right
            column = COLUMNS - 1 - column
        if back:
            column = COLUMNS - 1 - column
        width, height = self.card
        return MARGIN_MM + column * width, MARGIN_MM + row * height


class FlashcardsRenderer(Renderer):
    """Writes `<guide-id>-flashcards.pdf` (`-letter` in the name for US Letter)."""

    name = "flashcards"
    description = "printable flashcards (PDF): eight cards a page, each back behind its front when printed two-sided"
    needs = frozenset({"formulas", "images"})
    templates = ("flashcards",)
    costly = True

    def filename(self, guide: Guide, options: Options) -> str:
        """Return `<guide-id>-flashcards[-letter].pdf`."""
        return f"{guide.meta.id}-flashcards{'' if options.paper == 'a4' else '-' + options.paper}.pdf"

    def render(self, job: Job, prepared: object = None) -> bytes:
        """Lay out every card, fronts and backs on alternate pages, and return the PDF."""
        sheet = Sheet(*PAPER_MM.get(job.options.paper, PAPER_MM["a4"]))
        cards = list(Cards(job, sheet).all())
        html = self.page(job, sheet, cards)
        out = io.BytesIO()
        layout(job, html).write_pdf(out, pdf_identifier=job.guide.meta.id.encode(), pdf_variant="pdf/ua-1")
        return out.getvalue()

    def page(self, job: Job, sheet: Sheet, cards: list[Card]) -> str:
        """Return the print HTML: a front page and a back page for every eight cards."""
        words = messages(job.guide.meta)
        env = environment(job.options.templates)
        rtl = words.direction == "rtl"
        sheets = [cards[start : start + COLUMNS * ROWS] for start in range(0, len(cards), COLUMNS * ROWS)]
        return env.get_template("flashcards/cards.html").render(
            **words.functions(),
            meta=job.guide.meta,
            direction=words.direction,
            sheets=[
                [
                    (card, sheet.place(slot, False, rtl), sheet.place(slot, True, rtl))
                    for slot, card in enumerate(cards_of)
                ]
                for cards_of in sheets
            ],
            css=Markup(stylesheet(job, sheet)),
        )


class Cards:
    """A guide's cards, each side set in the largest size at which it fits (measured by WeasyPrint)."""

    def __init__(self, job: Job, sheet: Sheet) -> None:
        self.job, self.sheet = job, sheet
        self.words = messages(job.guide.meta)
        hooks, _ = svg_hooks(job.resources, shared=False, inline_images=True)
        checkbox = task_boxes(job.guide.meta, printed_checkbox)
        self.hooks = dataclasses.replace(hooks, code=printed_code, checkbox=checkbox, question_links=False)

    def all(self) -> Iterator[Card]:
        """Yield every card in reading order: one a question, more when its answer goes on."""
        questions = [(section.title, q) for section in self.job.guide.sections for q in section.questions]
        titles = [[Markup(f"<p>{Hooks().text(q.title)}</p>")] for _, q in questions]
        fronts = self.fit(titles, FRONT_SIZES, front=True)
        backs = self.fit([self.backs(q) for _, q in questions], BACK_SIZES, front=False)
        number = 0
        for (section, q), title, front, back in zip(questions, titles, fronts, backs, strict=True):
            shown = front or Side(title[0], FRONT_SIZES[-1])  # a title of at most 300 characters always fits
            pieces = [back] if back is not None else self.pieces(q)
            for index, piece in enumerate(pieces):
                number += 1
                more = index < len(pieces) - 1
                note = self.words.text("card-continues", "continued on the next card") if more else ""
                yield Card(number, section, shown if index == 0 else self.continued(q, shown), piece, note)

    def backs(self, q: Question) -> list[Markup]:
        """Return what a question's back may hold, best first: core answer and answer, then the core alone."""
        answer = Markup(f'<div class="answer">{self.html(q.answer, q)}</div>')
        if q.core is None:
            return [answer]
        core = Markup(f'<div class="core">{self.html(q.core, q)}</div>')
        return [core + answer, core]

    def html(self, node: Node, q: Question) -> Markup:
        """Return a tree's card HTML, with the question's notes after it (a card has no page foot)."""
        notes = notes_html(q.footnotes, self.hooks) if node is q.answer or q.core is None else ""
        return Markup(to_html(node, self.hooks) + notes)

    def continued(self, q: Question, front: Side) -> Side:
        """Return the front of a card that carries on a question's answer."""
        text = self.words.text("card-continued", "%(title)s (continued)", title=q.title)
        return Side(Markup(f"<p>{Hooks().text(text)}</p>"), front.size)

    def fit(self, choices: list[list[Markup]], sizes: tuple[float, ...], front: bool) -> list[Side | None]:
        """Return, for each side, the first choice at the largest size that fits; None when none fits at all."""
        limit = self.sheet.text(front)[1] * PX_PER_MM
        # The answer joins the core answer only while both stay readable: never below the first sizes.
        tries = [
            [(html, size) for k, html in enumerate(options) for size in sizes if k == len(options) - 1 or size >= FULL]
            for options in choices
        ]
        chosen: list[Side | None] = [None] * len(choices)
        step = [0] * len(choices)
        pending = list(range(len(choices)))
        while pending:
            heights = measure(self.job, self.sheet, [tries[i][step[i]] for i in pending], front)
            left = []
            for i, height in zip(pending, heights, strict=True):
                if height <= limit:
                    chosen[i] = Side(*tries[i][step[i]])
                elif step[i] + 1 < len(tries[i]):
                    step[i] += 1
                    left.append(i)
            pending = left
        return chosen

    def pieces(self, q: Question) -> list[Side]:
        """Return a back too long for one card (its core answer, else its answer) as several, block by block.

        A single block taller than a card (a long table or code block) gets a card of its own and runs
        over its edge rather than lose text.
        """
        tree = q.core if q.core is not None else q.answer
        blocks = [Markup(to_html(child, self.hooks)) for child in tree.children]
        if tree is q.answer and q.footnotes:
            blocks.append(Markup(notes_html(q.footnotes, self.hooks)))
        size = BACK_SIZES[-1]
        heights = measure(self.job, self.sheet, [(block, size) for block in blocks], front=False)
        limit = self.sheet.text(False)[1] * PX_PER_MM
        pieces: list[list[Markup]] = [[]]
        used = 0.0
        for block, height in zip(blocks, heights, strict=True):
            if pieces[-1] and used + height > limit:
                pieces.append([])
                used = 0.0
            pieces[-1].append(block)
            used += height
        wrap = "core" if tree is q.core else "answer"
        return [Side(Markup(f'<div class="{wrap}">{Markup("").join(piece)}</div>'), size) for piece in pieces]


def measure(job: Job, sheet: Sheet, sides: list[tuple[Markup, float]], front: bool) -> list[float]:
    """Return the height (CSS pixels) of each side laid out in a column as wide as a card's text."""
    css = stylesheet(job, sheet)
    width = sheet.text(front)[0]
    blocks = "".join(
        f'<div class="content measure" id="m{n}" style="width:{width:.3f}mm;font-size:{size}pt">{html}</div>'
        for n, (html, size) in enumerate(sides)
    )
    words = messages(job.guide.meta)
    head = f'<html lang="{escape(job.guide.meta.language)}" dir="{words.direction}"><head><style>{css}</style></head>'
    html = f"<!DOCTYPE html>{head}<body>{blocks}</body></html>"
    heights = [0.0] * len(sides)
    for page in layout(job, html).pages:
        for box in _boxes(page._page_box):
            element = getattr(box, "element", None)
            ident = element.get("id", "") if element is not None else ""
            if ident.startswith("m") and ident[1:].isdigit() and type(box).__name__ == "BlockBox":
                heights[int(ident[1:])] = max(heights[int(ident[1:])], float(box.margin_height()))
    return heights


def stylesheet(job: Job, sheet: Sheet) -> str:
    """Return the cards' stylesheet: the sheet's geometry, the guide's direction, code and formula styles."""
    env = environment(job.options.templates)
    width, height = sheet.card
    css = env.get_template("flashcards/cards.css").render(
        sheet=sheet, width=width, height=height, padding=PADDING_MM, label=LABEL_MM
    )
    return css + highlight.light_css(scroll=False) + "\n" + MATH_CSS


def _boxes(box: Any) -> Iterator[Any]:
    """Yield a layout box and every box inside it."""
    stack = [box]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(getattr(current, "children", ()))


def layout(job: Job, html: str) -> weasyprint.Document:
    """Lay out print HTML with WeasyPrint, loading only files of the content and templates (images are inline)."""
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    folder = job.options.templates / "flashcards"
    policy, fetcher = make_fetcher([job.guide.root, job.options.templates])
    document = None
    try:
        document = weasyprint.HTML(string=html, base_url=str(job.guide.root.resolve()) + "/", url_fetcher=fetcher)
        document = document.render()
    except FatalURLFetchingError:
        if not policy.refused:
            raise
    if policy.refused or document is None:
        raise RefusedResource("\n".join(refusal(url, folder) for url in dict.fromkeys(policy.refused)))
    return document
