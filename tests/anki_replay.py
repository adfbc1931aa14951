"""Replay answers in Anki with FSRS on, each at its own moment: run by study_tools.anki_replay.

Reads [{"q": question id, "t": milliseconds, "g": grade}] on stdin; before each answer it writes the moment
into libfaketime's clock file (FAKETIME_TIMESTAMP_FILE, read on every call), so Anki's backend answers at
that moment in the process's time zone (TZ). Prints, per answer, the card as Anki then holds it and the
four labels Anki showed for it. ANKI_TEST_MODE turns Anki's fuzz off (and shifts its clock between 2 and
4 a.m., so no answer is given then).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from anki.cards import CardId


def at(clock: Path, millis: int) -> None:
    """Set the faked clock to a moment (written as local time, which libfaketime reads)."""
    clock.write_text(time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(millis / 1000)), encoding="utf-8")


def main() -> None:
    """Replay stdin's answers into a fresh collection in the folder named by argv[1]; print what Anki did."""
    from anki.collection import Collection  # first: the anki package imports itself in this order
    from anki.scheduler.v3 import Scheduler

    clock = Path(os.environ["FAKETIME_TIMESTAMP_FILE"])
    answers = json.load(sys.stdin)
    at(clock, answers[0]["t"] - 3_600_000)
    col = Collection(str(Path(sys.argv[1]) / "replay.anki2"))
    col.set_config("fsrs", True)
    basic = col.models.by_name("Basic")
    assert basic is not None
    sched = col.sched
    assert isinstance(sched, Scheduler)
    deck = col.decks.id("Default")
    assert deck is not None
    cards: dict[str, CardId] = {}
    for question in dict.fromkeys(a["q"] for a in answers):
        note = col.new_note(basic)
        note["Front"] = question
        col.add_note(note, deck)
        cards[question] = note.cards()[0].id
    out = []
    for answer in answers:
        at(clock, answer["t"])
        card = col.get_card(cards[answer["q"]])
        card.start_timer()
        states = col._backend.get_scheduling_states(card.id)
        shown = list(sched.describe_next_states(states))
        sched.answer_card(sched.build_answer(card=card, states=states, rating=answer["g"] - 1))
        card = col.get_card(card.id)
        memory = card.memory_state
        assert memory is not None
        out.append(
            {
                "labels": shown,
                "type": card.type,
                "queue": card.queue,
                "due": card.due,
                "ivl": card.ivl,
                "left": card.left,
                "s": memory.stability,
                "d": memory.difficulty,
                "today": col.sched.today,
            }
        )
    col.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
