"""A guide's cards in reading order, each side set in the largest size at which it fits (measured by WeasyPrint)."""

from __future__ import annotations

import dataclasses

from markupsafe import Markup

from studyguide.markup import Hooks, notes_html, to_html
from studyguide.markup.places import printed_checkbox, printed_code, svg_hooks
from studyguide.model import Node, Question
from studyguide.renderers.base import alert_hook, messages, task_boxes
from studyguide.renderers.flashcards.sheet import BACK_SIZES, FRONT_SIZES, FULL, Card, Sheet, Side, group, measure
from studyguide.stages import Job


class Cards:
    """A guide's cards: a question's own card, or its cloze cards, and its reversed card."""

    def __init__(self, job: Job, sheet: Sheet) -> None:
        self.job, self.sheet = job, sheet
        self.words = messages(job.guide.meta)
        hooks, _ = svg_hooks(job.resources, shared=False, inline_images=True)
        checkbox = task_boxes(job.guide.meta, printed_checkbox)
        self.hooks = dataclasses.replace(
            hooks,
            code=printed_code,
            checkbox=checkbox,
            question_links=False,
            alert=alert_hook(job.guide.meta),
            details_open=True,  # on paper, as in the printed guide
            direction=self.words.direction,  # WeasyPrint orders a line's pieces by their direction alone
        )

    def plain(self, questions: list[tuple[str, Question]]) -> list[list[Card]]:
        """Return each question's card (front: its title; back: its core answer and answer), more when it goes on."""
        titles = [[Markup(f"<p>{Hooks().text(q.title)}</p>")] for _, q in questions]
        fronts = self.fit(titles, FRONT_SIZES, front=True)
        backs = self.fit([self.backs(q) for _, q in questions], BACK_SIZES, front=False)
        made = []
        for (section, q), title, front, back in zip(questions, titles, fronts, backs, strict=True):
            shown = front or Side(title[0], FRONT_SIZES[-1])  # a title of at most 300 characters always fits
            pieces = [back] if back is not None else self.pieces(q)
            cards = []
            for index, piece in enumerate(pieces):
                note = self.continues() if index < len(pieces) - 1 else ""
                face = shown if index == 0 else Side(Markup(f"<p>{self.continued(q.title)}</p>"), shown.size)
                cards.append(Card(0, section, face, piece, note))
            made.append(cards)
        return made

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

    def continues(self) -> str:
        """Return the note under a side whose text goes on on the next card."""
        return self.words.text("card-continues", "continued on the next card")

    def continued(self, title: str) -> Markup:
        """Return, as HTML, the head of a front that carries on a card: its title (or prompt), continued."""
        return Markup(Hooks().text(self.words.text("card-continued", "%(title)s (continued)", title=title)))

    def fit(self, choices: list[list[Markup]], sizes: tuple[float, ...], front: bool) -> list[Side | None]:
        """Return, for each side, the first choice at the largest size that fits; None when none fits at all."""
        limit = self.sheet.limit(front)
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
        pieces = group([(height,) for height in heights], (self.sheet.limit(False),))
        wrap = "core" if tree is q.core else "answer"
        joined = [Markup("").join(blocks[i] for i in piece) for piece in pieces]
        return [Side(Markup(f'<div class="{wrap}">{html}</div>'), size) for html in joined]
