"""Formulas a question, a section and a guide may place (each a PDF image): at the limit a build goes on."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from studyguide.build.pipeline import load
from studyguide.check import validate
from studyguide.errors import ContentError

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def question(qid: str, formulas: int) -> str:
    """Return a question whose answer holds `formulas` inline formulas, one a line (its answer starts on line 5)."""
    return (
        f"## Q {qid}? {{#{qid}}}\n\nTags: testing\n\n" + "".join(f"$x_{n % 7}$ and\n" for n in range(formulas)) + "\n"
    )


def guide(tmp_path: Path, *sections: list[int]) -> Path:
    """Write the valid fixture guide with sections of questions holding these numbers of formulas."""
    content = tmp_path / "content"
    shutil.rmtree(content, ignore_errors=True)
    shutil.copytree(FIXTURES / "valid", content)
    for s, counts in enumerate(sections):
        body = "".join(question(f"s{s}-q{n}", count) for n, count in enumerate(counts))
        (content / f"5{s}-formulas.md").write_text(f"# Formulas {s} {{#s{s}}}\n\n{body}", encoding="utf-8")
    return content


def problems(content: Path) -> list[str]:
    """Return the problems validation reports ([] when the guide loads)."""
    try:
        load(content)
    except ContentError as exc:
        return [str(p) for p in exc.problems]
    return []


def test_a_question_may_place_a_thousand_formulas(tmp_path: Path) -> None:
    limit = validate.MAX_QUESTION_FORMULAS
    assert limit == 1_000  # the README's Limits table
    assert problems(guide(tmp_path, [limit])) == []
    content = guide(tmp_path, [limit + 1])
    line = 3 + 4 + limit  # the section heading and blank line, the question's four lines, then one formula a line
    assert problems(content) == [
        f"{content / '50-formulas.md'}:{line}: formula number 1,001 of this question: more than the limit of 1,000"
    ]


def test_a_section_may_place_five_thousand_formulas(tmp_path: Path) -> None:
    limit = validate.MAX_SECTION_FORMULAS
    assert limit == 5_000
    full = [validate.MAX_QUESTION_FORMULAS] * (limit // validate.MAX_QUESTION_FORMULAS)
    assert problems(guide(tmp_path, full, [1])) == []  # another section has its own count
    content = guide(tmp_path, [*full, 1])
    found = problems(content)
    assert len(found) == 1 and "formula number 5,001 of this section: more than the limit of 5,000" in found[0]
    assert found[0].startswith(f"{content / '50-formulas.md'}:")


def test_a_guide_may_place_its_limit_of_formulas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The guide's limit is 100,000 (checked as the README says); at a tenth of a section's formulas the same code."""
    assert validate.MAX_FORMULAS == 100_000
    monkeypatch.setattr(validate, "MAX_FORMULAS", 30)
    assert problems(guide(tmp_path, [10, 10], [10])) == []
    content = guide(tmp_path, [10, 10], [10, 1])  # the second question of section 1 starts on line 18
    assert problems(content) == [
        f"{content / '51-formulas.md'}:22: formula number 31 of this guide: more than the limit of 30"
    ]


def test_a_long_formula_counts_once_for_each_piece_the_pdf_places(tmp_path: Path) -> None:
    """A long inline formula is laid out in pieces (markup/math/split.py), each an image: each counts."""
    from studyguide.markup.math.split import pieces

    long = r"P(B) = P(B \mid A)P(A) + P(B \mid \neg A)P(\neg A)"
    assert len(pieces(long)) == 3
    limit = validate.MAX_QUESTION_FORMULAS
    content = guide(tmp_path, [limit - 3])
    path = content / "50-formulas.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f"\n${long}$\n", encoding="utf-8")
    assert problems(content) == []  # 997 + 3 pieces: at the limit
    path.write_text(text.rstrip("\n") + f"\n$x$ and ${long}$\n", encoding="utf-8")
    line = 3 + 4 + limit - 3
    assert problems(content) == [
        f"{path}:{line}: this formula takes this question to 1,001 formulas: more than the limit of 1,000"
        " (a long formula counts once for each of the 3 pieces a line may break between)"
    ]
