"""The real content: 81 questions, unique ids, every title of the source article present."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from studyguide.model import Guide

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_066bb2b2e4df1bac.txt"


def test_eighty_one_questions_with_unique_ids(guide: Guide) -> None:
    ids = [q.id for q in guide.questions]
    assert len(ids) == 81  # the article's 42, the second review's 7 topics, the third review's 19 topics and 13 splits
    assert len(set(ids)) == 81
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)


def test_every_question_has_tags_answer_and_section(guide: Guide) -> None:
    for section in guide.sections:
        assert section.id and section.title
        for q in section.questions:
            assert q.tags, q.id
            assert len(q.answer_text()) > 100, q.id


@pytest.mark.skipif(not SEED.is_file(), reason="the source article is kept outside the repository (shared/seeds)")
def test_every_source_title_is_a_question_word_for_word(guide: Guide) -> None:
    """Word for word, in sentence case (the third review's S11): the article capitalized common nouns."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    titles = [m.group(1) for line in lines if (m := re.match(r"^\d+\. (.+)$", line))]
    assert len(titles) == 42
    assert {t.casefold() for t in titles} <= {q.title.casefold() for q in guide.questions}


def test_lstm_gates_are_nested_under_gates(guide: Guide) -> None:
    answer = guide.question("lstm").answer
    lists = [n for n in answer.children if n.kind == "bullet_list"]
    gates = [item for lst in lists for item in lst.children if item.plain_text().strip().startswith("Gates")]
    assert len(gates) == 1
    nested = [n for n in gates[0].children if n.kind == "bullet_list"]
    assert len(nested) == 1 and len(nested[0].children) == 3


def test_content_has_no_article_trailer_or_index(guide: Guide) -> None:
    text = " ".join(q.answer_text() for q in guide.questions)
    assert "Learn More" not in text
    assert "crucial for anyone preparing for a deep learning interview" not in text
