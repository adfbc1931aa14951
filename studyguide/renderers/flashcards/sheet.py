"""The sheet of cards: its geometry, a card's sides, and WeasyPrint, which lays them out and measures them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from studyguide.markup import highlight
from studyguide.markup.alerts import NOTATION_CSS, PRINTED_NOTATION, alert_colours
from studyguide.markup.places import MATH_CSS
from studyguide.renderers.base import environment, messages
from studyguide.renderers.paper import RefusedResource, make_fetcher, refusal
from studyguide.stages import Job

if TYPE_CHECKING:
    import weasyprint

PAPER_MM = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
COLUMNS, ROWS, MARGIN_MM, PADDING_MM, LABEL_MM = 2, 4, 10.0, 4.0, 5.0
FRONT_SIZES = (15.0, 13.0, 11.0, 9.0)  # points: a question's size, shrinking until it fits
BACK_SIZES = (12.0, 10.5, 9.0, 8.0, 7.0)  # also the sizes of a front that shows text: a cloze's, a core answer
FULL = 8.5  # points: the smallest size at which a back holds the answer as well as the core answer
PX_PER_MM = 96 / 25.4  # WeasyPrint measures in CSS pixels


@dataclass(frozen=True)
class Side:
    """One side of a card: its HTML and the size it is set in (points)."""

    html: Markup
    size: float


@dataclass(frozen=True)
class Card:
    """One card: its number, the section it belongs to, both sides, and a note on each side whose text goes on."""

    number: int
    section: str
    front: Side
    back: Side
    note: str = ""
    front_note: str = ""


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

    def limit(self, front: bool) -> float:
        """Return the height (CSS pixels) a side's text may take."""
        return self.text(front)[1] * PX_PER_MM

    def place(self, slot: int, back: bool, rtl: bool) -> tuple[float, float]:
        """Return where a card slot's left and top edges are: a back behind its front when the long edge flips."""
        row, column = divmod(slot, COLUMNS)
        if rtl:  # the first card of a right-to-left guide is at the top right
            column = COLUMNS - 1 - column
        if back:
            column = COLUMNS - 1 - column
        width, height = self.card
        return MARGIN_MM + column * width, MARGIN_MM + row * height


def group(heights: list[tuple[float, ...]], limits: tuple[float, ...]) -> list[list[int]]:
    """Return blocks (each with its heights on one card's sides) in cards, in order: a card takes blocks while
    every side stays within its limit; a block taller than a card gets a card of its own."""
    groups: list[list[int]] = [[]]
    used = [0.0] * len(limits)
    for index, height in enumerate(heights):
        if groups[-1] and any(u + h > limit for u, h, limit in zip(used, height, limits, strict=True)):
            groups.append([])
            used = [0.0] * len(limits)
        groups[-1].append(index)
        used = [u + h for u, h in zip(used, height, strict=True)]
    return groups


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
    notation = NOTATION_CSS + alert_colours() + PRINTED_NOTATION
    return css + highlight.light_css(scroll=False) + "\n" + MATH_CSS + notation


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
