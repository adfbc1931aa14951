"""Where a long inline formula may break (studyguide/markup/math/split.py): as TeX breaks one, every character kept."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import CONTENT, FIXTURES, ROOT

from studyguide.build.pipeline import load_guide
from studyguide.markup.math.split import drawn_pieces, paired_quotes, pieces, unary_signs
from studyguide.markup.math.vocab import for_mathjax

GUIDES = [
    CONTENT,
    ROOT / "examples" / "git-basics",
    *(p for p in sorted(FIXTURES.iterdir()) if (p / "guide.toml").is_file()),
]
LONG = r"P(B) = P(B \mid A)P(A) + P(B \mid \neg A)P(\neg A)"


def inline_formulas() -> list[str]:
    """Every inline formula of the real content, the example and the fixtures."""
    found: set[str] = set()
    for content in GUIDES:
        guide = load_guide(content)
        found.update(node.text for _, node in guide.nodes("math_inline"))
    return sorted(found)


def test_the_pieces_of_every_formula_are_the_formula_character_for_character() -> None:
    """Characters in = characters out, for every inline formula the guides hold; some do break."""
    formulas = inline_formulas()
    assert len(formulas) > 200
    assert [tex for tex in formulas if "".join(pieces(tex)) != tex] == []
    split = [tex for tex in formulas if len(pieces(tex)) > 1]
    assert len(split) > 10, split


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        (LONG, ["P(B) =", r" P(B \mid A)P(A) +", r" P(B \mid \neg A)P(\neg A)"]),
        # after a relation, a sign starts the next piece; the sign itself never ends one
        (
            r"\Delta H = 2 \times (-285.8\ \mathrm{kJ/mol}) = -571.6\ \mathrm{kJ}",
            [r"\Delta H =", r" 2 \times", r" (-285.8\ \mathrm{kJ/mol}) =", r" -571.6\ \mathrm{kJ}"],
        ),
        # never inside a group, \left...\right, parentheses, bars, \text{} or an environment
        (
            r"f\left(a + b + c + d + e + f\right) + \frac{x + y + z}{u = v + w}",
            [r"f\left(a + b + c + d + e + f\right) +", r" \frac{x + y + z}{u = v + w}"],
        ),
        (
            r"(a + b + c + d + e + f + g) \cdot |h - i - j - k - l|",
            [r"(a + b + c + d + e + f + g) \cdot", r" |h - i - j - k - l|"],
        ),
        (r"\text{cost = price + tax + fee} = c_1 + c_2", [r"\text{cost = price + tax + fee} =", r" c_1 +", " c_2"]),
        (
            r"x = \begin{cases} a + b + c & y = 1 \\ d + e + f & y = 2 \end{cases}",
            [r"x =", r" \begin{cases} a + b + c & y = 1 \\ d + e + f & y = 2 \end{cases}"],
        ),
        # two relations in a row break after the last; a script belongs to its operator
        (
            r"a_1 + a_2 + a_3 <= b_1 + b_2 + b_3 \sum_{i}^{+} x",
            [r"a_1 +", r" a_2 +", r" a_3 <=", r" b_1 +", r" b_2 +", r" b_3 \sum_{i}^{+} x"],
        ),
        # a switch, a fraction-like command or an alignment keeps the formula whole
        (r"\displaystyle a + b + c + d + e + f + g + h", [r"\displaystyle a + b + c + d + e + f + g + h"]),
        (r"a + b + c + d \over e + f + g + h + i + j", [r"a + b + c + d \over e + f + g + h + i + j"]),
        # a short formula stays whole: a browser would break it where TeX would not
        (r"P(T \mid D) = 0.99", [r"P(T \mid D) = 0.99"]),
    ],
)
def test_a_formula_breaks_after_relations_and_binary_operators_at_its_top_level(tex: str, expected: list[str]) -> None:
    assert list(pieces(tex)) == expected


def test_a_piece_ending_with_an_operator_is_drawn_with_an_empty_group() -> None:
    """`a ={}` keeps the relation's space after it in every renderer (an operator with nothing after is ordinary)."""
    assert drawn_pieces(LONG) == ("P(B) ={}", r" P(B \mid A)P(A) +{}", r" P(B \mid \neg A)P(\neg A)")


def test_signs_are_groups_for_ziamath_and_quotes_open_and_close() -> None:
    """`= -571.6` is a sign, not a subtraction; `"FREE"` is quoted “FREE”, not ”FREE” (MathJax's TeX font)."""
    assert unary_signs(r"x = -5, (-2) \cdot \pm 3, e^{-x}, a - b") == r"x = {-}5, ({-}2) \cdot {\pm} 3, e^{-x}, a - b"
    assert paired_quotes(r'\text{status} = \text{"FREE"}') == r"\text{status} = \text{“FREE”}"
    assert paired_quotes(r'a" = b') == r'a" = b'  # an odd quote is the author's: left as written
    assert for_mathjax(r'\text{"FREE"}') == r"\text{“FREE”}"


def test_chemistry_keeps_its_own_signs_and_arrows() -> None:
    """mhchem reads `\\ce{...}` as written: `Cl- -> NaCl` made `Cl- {-}> NaCl` lost its arrow (page and PDF)."""
    from studyguide.markup.math import chem
    from studyguide.markup.math.vocab import for_ziamath

    tex = r"\ce{Na+ + Cl- -> NaCl} = -1 + \ce{A <- B}"
    assert for_ziamath(tex) == r"\ce{Na+ + Cl- -> NaCl} = {-}1 + \ce{A <- B}"
    drawn = chem.translate(for_ziamath(tex))
    assert r"\longrightarrow" in drawn and r"\longleftarrow" in drawn


ARABIC_WORDS = (r"\text{حرارة التفاعل}", r"\text{مجموع حرارات تكوين النواتج}", r"\text{مجموع حرارات تكوين المتفاعلات}")


def test_a_long_formula_with_right_to_left_words_breaks_and_keeps_its_words_as_text() -> None:
    """A card: the formula comes in pieces a line may break between, and its Arabic words are text between
    MathJax's pieces (shaped by the browser), never letters inside MathJax (drawn one by one, unjoined)."""
    import re

    from studyguide.renderers.anki.fields import anki_math

    tex = f"{ARABIC_WORDS[0]} = {ARABIC_WORDS[1]} - {ARABIC_WORDS[2]}"
    html = anki_math(tex, False)
    assert html.startswith('<span class="math-split" dir="ltr">') and html.count('<bdi dir="ltr">') == 3
    assert re.findall(r'<bdi class="math-words">(.*?)</bdi>', html) == [w[6:-1] for w in ARABIC_WORDS]
    assert all(not re.search("[\u0600-\u06ff]", m) for m in re.findall(r"\\\((.*?)\\\)", html))


class SplitTitles(HTMLParser):
    """Collect, for each split formula of a page, the titles of its pieces in order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[list[str]] = []
        self.depth = 0  # open spans inside the current split formula (0: outside one)
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "span" and (self.depth or ("class", "math-split") in attrs):
            self.depth += 1
            if self.depth == 1:
                self.found.append([])
        self.in_title = tag == "title" and self.depth > 0

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag == "span" and self.depth > 0
        self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.found[-1].append(data)


def test_a_split_formula_is_every_piece_in_order_on_the_page(tmp_path: Path) -> None:
    """The page names each piece by its TeX (<title>): joined, they are the formula the author wrote."""
    from studyguide.cli import main

    content = FIXTURES / "screens-en"
    assert main(["--format", "html", "--content", str(content), "--out", str(tmp_path)]) == 0
    parser = SplitTitles()
    parser.feed((tmp_path / "screens-en.html").read_text(encoding="utf-8"))
    guide = load_guide(content)
    wanted = [n.text for _, n in guide.nodes("math_inline") if len(pieces(n.text)) > 1]
    assert len(wanted) >= 4 and all(len(titles) > 1 for titles in parser.found)
    assert sorted("".join(t.split()) for t in map("".join, parser.found)) == sorted("".join(w.split()) for w in wanted)
