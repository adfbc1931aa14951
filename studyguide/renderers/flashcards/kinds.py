"""The cards of a cloze question and a reversed one, as the Anki deck has them.

A cloze question gives a card per cloze number, in their order: the front shows the title (as context)
and the parts that hold clozes (the deck's Text field: the core answer, the answer, or both) with this
number's clozes hidden as `[…]` or `[hint]` and the others shown as plain text; the back shows the same
text with this number's clozes filled in and marked, then the other parts (the deck's Extra) when they fit.
A reversed question's second card shows the reverse prompt and the core answer, and on its back the title
(and the answer when it fits). A side too long for a card at the smallest size goes on on the next card,
block by block, with a note: no text is lost.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from studyguide.markup import Hooks, notes_html, to_html
from studyguide.model import Node, Question, cloze_numbers
from studyguide.renderers.flashcards.cards import Cards
from studyguide.renderers.flashcards.sheet import BACK_SIZES, Card, Side, group, measure

Block = tuple[str, Markup]  # the part it belongs to ("core", "answer"; "" for the notes) and its HTML


@dataclass(frozen=True)
class Spec:
    """A cloze or reversed card before it is set: what each side may hold, and its text block by block."""

    head: Markup  # the front's first line: the title (a cloze card) or the prompt (a reversed card)
    more: Markup  # the head of a front that carries on the card
    fronts: tuple[Block, ...]  # the front's text under its head
    backs: tuple[Block, ...]  # the back's text, block for block with the front's (a cloze); () the same back throughout
    choices: tuple[Markup, ...]  # what the back holds, best first

    def front(self, blocks: Iterable[Block], first: bool = True) -> Markup:
        """Return a front's HTML: its head, then these blocks of its text."""
        return (self.head if first else self.more) + Markup(f'<div class="text">{join(blocks)}</div>')


def kind_cards(cards: Cards, questions: list[tuple[str, Question]]) -> dict[str, list[Card]]:
    """Return the cloze cards and reversed cards of these questions, by question id, in reading order."""
    specs = [(section, q, spec) for section, q in questions for spec in specs_of(cards, q)]
    fronts = cards.fit([[spec.front(spec.fronts)] for _, _, spec in specs], BACK_SIZES, front=True)
    backs = cards.fit([list(spec.choices) for _, _, spec in specs], BACK_SIZES, front=False)
    made: dict[str, list[Card]] = {}
    for (section, q, spec), front, back in zip(specs, fronts, backs, strict=True):
        own = made.setdefault(q.id, [])
        if front is not None and back is not None:
            own.append(Card(0, section, front, back))
        else:
            own.extend(split(cards, section, spec, back))
    return made


def specs_of(cards: Cards, q: Question) -> list[Spec]:
    """Return a question's cloze cards (one per number, in their order), or its reversed card, or none."""
    if q.clozes:
        return [cloze(cards, q, number) for number in q.clozes]
    return [reversed_card(cards, q, q.core)] if q.reverse and q.core is not None else []


def cloze(cards: Cards, q: Question, number: int) -> Spec:
    """Return the card of one cloze number: its clozes hidden on the front, filled in and marked on the back."""
    hide = dataclasses.replace(cards.hooks, cloze=functools.partial(hidden, str(number)))
    fill = dataclasses.replace(cards.hooks, cloze=functools.partial(filled, str(number)))
    parts = [(css, tree) for css, tree in (("core", q.core), ("answer", q.answer)) if tree is not None]
    text = [(css, tree) for css, tree in parts if cloze_numbers(tree)]
    notes: Block = ("", Markup(notes_html(q.footnotes, cards.hooks)))
    fronts = (*blocks(text, hide), ("", Markup("")))
    backs = (*blocks(text, fill), notes)
    extra = join(blocks([(css, tree) for css, tree in parts if not cloze_numbers(tree)], cards.hooks))
    choices = (join(backs[:-1]) + extra + notes[1], join(backs)) if extra else (join(backs),)
    title = Hooks().text(q.title)
    head = Markup(f'<p class="context">{title}</p>')
    more = Markup(f'<p class="context">{cards.continued(q.title)}</p>')
    return Spec(head, more, fronts, backs, choices)


def reversed_card(cards: Cards, q: Question, core: Node) -> Spec:
    """Return a question's reversed card: the prompt and the core answer; behind them its title (and answer).

    The validation requires a core answer of every reversed question ('Reverse: yes' needs a core answer).
    """
    prompt = cards.words.text("reverse-prompt", "Which question does this answer?")
    head = Markup(f'<p class="prompt">{Hooks().text(prompt)}</p>')
    more = Markup(f'<p class="prompt">{cards.continued(prompt)}</p>')
    title = Markup(f'<p class="question">{Hooks().text(q.title)}</p>')
    answer = Markup(f'<div class="answer">{cards.html(q.answer, q)}</div>')
    return Spec(head, more, tuple(blocks([("core", core)], cards.hooks)), (), (title + answer, title))


def split(cards: Cards, section: str, spec: Spec, back: Side | None) -> list[Card]:
    """Return a card too long at the smallest size as several, block by block, each side noting that it goes on.

    A single block taller than a card (a long table or code block) gets a card of its own and runs
    over its edge rather than lose text.
    """
    size, count = BACK_SIZES[-1], len(spec.fronts)
    sides = [(join([block]), size) for block in (*spec.fronts, *spec.backs)] + [(spec.head, size), (spec.more, size)]
    heights = measure(cards.job, cards.sheet, sides, front=True)  # a front's text is as wide as a back's
    fronts, backs = heights[:count], heights[count:-2] or [0.0] * count
    limits = (cards.sheet.limit(True) - max(heights[-2:]), cards.sheet.limit(False))
    groups = group(list(zip(fronts, backs, strict=True)), limits)
    note, made = cards.continues(), []
    for index, chosen in enumerate(groups):
        last = index == len(groups) - 1
        front = Side(spec.front([spec.fronts[i] for i in chosen], first=index == 0), size)
        shown = Side(join([spec.backs[i] for i in chosen]), size) if spec.backs else back
        shown = shown or Side(spec.choices[-1], size)
        made.append(Card(0, section, front, shown, "" if last or not spec.backs else note, "" if last else note))
    return made


def blocks(parts: list[tuple[str, Node]], hooks: Hooks) -> list[Block]:
    """Return the blocks of these parts (core answer, answer), each with the name of its part."""
    return [(css, Markup(to_html(child, hooks))) for css, tree in parts for child in tree.children]


def join(blocks: Iterable[Block]) -> Markup:
    """Return blocks as HTML, each run of blocks of one part inside that part's element."""
    out = []
    for css, run in itertools.groupby(blocks, key=lambda block: block[0]):
        html = Markup("").join(html for _, html in run)
        out.append(Markup(f'<div class="{css}">{html}</div>') if css else html)
    return Markup("").join(out)


def hidden(asked: str, number: str, hint: str, inner: str) -> str:
    """Show a cloze on a front: this card's as `[…]` or `[hint]`, as Anki does; another card's as plain text."""
    return f'<span class="blank">[{escape(hint) if hint else "…"}]</span>' if number == asked else inner


def filled(asked: str, number: str, hint: str, inner: str) -> str:
    """Show a cloze on a back: this card's filled in and marked (bold, underlined); another card's as plain text."""
    return f'<span class="cloze">{inner}</span>' if number == asked else inner
