"""Printable flashcards: a PDF of cards to cut out, eight a sheet, each back printed behind its front.

A sheet is two pages: the fronts (section, question) and then the backs (the core answer, and the
answer when it fits). A cloze question gives a card per cloze number and a reversed question a second
card, as the Anki deck has them (kinds.py). Printed on both sides with the long edge flipped, a back
lands behind its front: on the back page each row's columns are swapped. Text shrinks to fit a card,
through a few sizes; what does not fit at the smallest continues on the next card, with a note. How
tall a text is, WeasyPrint measures (sheet.py): every side is laid out once in a column of the card's
width, and only the sides that do not fit are laid out again at the next size (a hand-made estimate of
line breaks would lose text to the card's edge).
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator

from markupsafe import Markup

from studyguide.model import Guide
from studyguide.renderers.base import Renderer, environment, messages
from studyguide.renderers.flashcards.cards import Cards
from studyguide.renderers.flashcards.kinds import kind_cards
from studyguide.renderers.flashcards.sheet import COLUMNS, PAPER_MM, ROWS, Card, Sheet, layout, stylesheet
from studyguide.renderers.paper import fonts_dated
from studyguide.stages import Job, Options


class FlashcardsRenderer(Renderer):
    """Writes `<guide-id>-flashcards.pdf` (`-letter` in the name for US Letter)."""

    name = "flashcards"
    description = "printable flashcards (PDF): eight cards a page, each back behind its front when printed two-sided"
    needs = frozenset({"formulas", "diagrams", "images"})
    templates = ("flashcards",)
    costly = True

    def filename(self, guide: Guide, options: Options) -> str:
        """Return `<guide-id>-flashcards[-letter].pdf`."""
        return f"{guide.meta.id}-flashcards{'' if options.paper == 'a4' else '-' + options.paper}.pdf"

    def render(self, job: Job, prepared: object = None) -> bytes:
        """Lay out every card, fronts and backs on alternate pages, and return the PDF."""
        sheet = Sheet(*PAPER_MM.get(job.options.paper, PAPER_MM["a4"]))
        cards = list(numbered(Cards(job, sheet)))
        html = self.page(job, sheet, cards)
        out = io.BytesIO()
        with fonts_dated(job.resources.epoch):
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


def numbered(cards: Cards) -> Iterator[Card]:
    """Yield every card in reading order, numbered: a question's own card (a cloze question's: one per cloze
    number), then its reversed card; more when a side's text goes on."""
    questions = [(section.title, q) for section in cards.job.guide.sections for q in section.questions]
    plain = [(section, q) for section, q in questions if not q.clozes]
    own = dict(zip((q.id for _, q in plain), cards.plain(plain), strict=True))
    more = kind_cards(cards, questions)
    number = 0
    for _, q in questions:
        for card in own.get(q.id, []) + more.get(q.id, []):
            number += 1
            yield dataclasses.replace(card, number=number)
