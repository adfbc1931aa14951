"""ziamath's work-arounds (markup/math/speedups.py) draw exactly the SVG ziamath draws without them, with less work."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from ziamath.nodes.mnode import Mnode
from ziamath.nodes.mrow import Mrow
from ziamath.zmath import Latex

from studyguide.build.pipeline import load_guide
from studyguide.markup.math import typeset
from studyguide.markup.math.speedups import cheaper_drawing
from studyguide.markup.math.svg import for_drawing, math_font
from studyguide.markup.math.typeset import MAX_FORMULA_CHARS, MAX_FORMULA_DEPTH, MathError, check_braces, render

ROOT = Path(__file__).resolve().parent.parent
WRAPS: tuple[str, ...] = (
    r"\left({0}\right)",
    "{{{0}}}^{{2}}",
    r"\frac{{{0}}}{{y}}",
    r"\sqrt{{{0}}}",
    r"\left[{0}\right\}}",
)
WRAPS += (r"\left|{0}\right.", r"\overbrace{{{0}}}", r"\underbrace{{{0}}}_{{n}}", r"\left(\frac{{{0}}}{{2}}\right)^2")


def nested(depth: int, inner: str, wrap: str) -> str:
    """Return `inner` inside `depth` groups made by `wrap`."""
    return inner if depth == 0 else nested(depth - 1, wrap.format(inner), wrap)


def longest(tex: str) -> str:
    """Return a sum of copies of a formula, as long as a formula may be."""
    copies = max(1, (MAX_FORMULA_CHARS + 1) // (len(tex) + 1))
    return "+".join([tex] * copies)


def formulas() -> list[tuple[str, bool]]:
    """Return the real content's 25 longest formulas, the fixtures', the example's, and nested shapes."""
    found: list[tuple[str, bool]] = []
    for folder in ("content", "tests/fixtures/rich", "tests/fixtures/gfm", "examples/git-basics"):
        guide = load_guide(ROOT / folder)
        drawn = {(n.text, n.kind == "math_block") for _, n in guide.nodes("math_inline", "math_block")}
        found += sorted(drawn, key=lambda f: (-len(f[0]), f))[: 25 if folder == "content" else None]
    for wrap in WRAPS:
        found.append((longest(nested(2, "x", wrap)), False))  # long rows, nested
        for depth in range(1, MAX_FORMULA_DEPTH + 1):
            found.append((nested(depth, "x", wrap), False))
            found.append((nested(depth, r"\sum_{i=1}^n x_i", wrap) + r"\bigg( a \Big]", True))
    return [(tex, display) for tex, display in found if within_limits(tex)]


def within_limits(tex: str) -> bool:
    """Tell whether a formula is within the formula limits (nesting, length)."""
    try:
        check_braces(tex)
    except MathError:
        return False
    return len(tex) <= MAX_FORMULA_CHARS


def drawn(tex: str, display: bool) -> str:
    """Return a formula's SVG as draw() asks render() for it."""
    drawing, depth = for_drawing(tex)
    return render(drawing, display, math_font()[0], depth)


def test_cheaper_drawing_draws_the_same_svg(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = formulas()
    assert len(cases) > 80
    faster = [drawn(tex, display) for tex, display in cases]
    monkeypatch.setattr(typeset, "cheaper_drawing", contextlib.nullcontext)  # ziamath's own way
    for (tex, display), svg in zip(cases, faster, strict=True):
        assert svg == drawn(tex, display), tex


def test_cheaper_drawing_is_undone_after() -> None:
    own = Mrow.__dict__["_setup_single_line"], Mnode.__dict__["size_px"]
    with cheaper_drawing():
        assert Mrow.__dict__["_setup_single_line"] is not own[0]
    assert (Mrow.__dict__["_setup_single_line"], Mnode.__dict__["size_px"]) == own


@pytest.mark.parametrize("wrap", WRAPS[:4])
def test_nested_groups_build_each_part_a_few_times_not_twice_per_level(
    wrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ziamath's own way built a formula 5 groups deep 751 parts for its 18 elements (2 to the depth)."""
    built = []
    own = Mnode.__init__

    def counted(node: Mnode, *args: Any, **kwargs: Any) -> None:
        built.append(node)
        own(node, *args, **kwargs)

    monkeypatch.setattr(Mnode, "__init__", counted)
    tex = nested(MAX_FORMULA_DEPTH, "x", wrap)
    with cheaper_drawing():
        formula = Latex(tex)
        formula.svg()
    elements = sum(1 for _ in formula.mathml.iter())
    assert len(built) <= elements * (MAX_FORMULA_DEPTH + 1), f"{len(built)} parts built for {elements} elements"
