"""The corrected content: known errors gone, core answers, sources, twin links, formulas that render."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from studyguide.model import Guide, Node, Question

# The phrases the content review quotes for its eight errors (E1-E8); none may survive in an answer.
ERROR_PHRASES = {
    "E1 dropout inference scaling": "scaled by the dropout rate",
    "E2 pooling invariance": "invariant to scale and orientation",
    "E3 ReLU against exploding gradients": "less likely to produce large gradients",
    "E4 backprop as a learning algorithm": "supervised learning algorithm",
    "E5 batch norm and covariate shift (Q14)": "reduces internal covariate shift",
    "E5 batch norm and covariate shift (Q38)": "by reducing internal covariate shift",
    "E6 deep means three layers": "three or more layers",
    "E7 small weights and minimal gradients": "regions where the gradients are minimal",
    "E8 cross-validation as a remedy": "ensure the model generalizes well",
}

# Imprecisions whose wording is unambiguous enough to test for.
IMPRECISION_PHRASES = {
    "I1 brain simulation": "simulate the behavior of the human brain",
    "I2 deep learning beside machine learning": "both are subsets of artificial intelligence",
    "I6 SGD converges faster": "often converging faster",
    "I14 adaptive rates as a decay schedule": "exponential decay, and adaptive learning rates",
    "I16 local minima": "may get stuck in local minima",
    "I19 pooling parameters": "decreasing the number of parameters",
    "I20 linear regression collapse": "behave like a linear regression model",
}

# Every question an error (E1-E8) or an imprecision (I1-I22) of the review touches.
CORRECTED = {
    "deep-learning": "E6, I1",
    "deep-learning-vs-machine-learning": "I2",
    "neural-networks": "I3",
    "activation-functions": "I4",
    "cost-function": "I5",
    "backpropagation": "E4",
    "gradient-descent": "I6",
    "overfitting-underfitting": "I7",
    "preventing-overfitting": "E8, I8",
    "vanishing-gradient": "E7, I9",
    "exploding-gradient": "E3, I10",
    "dropout": "E1",
    "batch-normalization": "E5, I11",
    "reinforcement-learning": "I12",
    "gan": "I13",
    "learning-rate-decay": "I14",
    "imbalanced-datasets": "I15",
    "learning-rate": "I16",
    "early-stopping": "I8",
    "resnet": "I17",
    "cnn-vs-fully-connected": "I18",
    "pooling-layer": "E2, I19",
    "activation-function-role": "I4, I20",
    "batch-normalization-benefits": "E5, I11",
    "dropout-purpose": "E1",
    "missing-data": "I21",
    "l1-vs-l2-regularization": "I22",
    "learning-rate-effects": "I16",
}

# The exact duplicate and the three near-duplicates of the source: (earlier, later twin).
TWINS = [
    ("dropout", "dropout-purpose"),
    ("activation-functions", "activation-function-role"),
    ("batch-normalization", "batch-normalization-benefits"),
    ("learning-rate", "learning-rate-effects"),
]

# The formulas the review marks "core", by question id.
CORE_FORMULAS = [
    "neural-networks",
    "gradient-descent",
    "vanishing-gradient",
    "exploding-gradient",
    "dropout",
    "batch-normalization",
    "lstm",
    "gan",
    "softmax",
    "weight-initialization",
    "resnet",
    "attention",
    "activation-function-role",
    "l1-vs-l2-regularization",
]

MATH = ("math_inline", "math_block")


def walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from walk(child)


def texts(q: Question) -> str:
    """The answer and the core answer of a question, lowercased, spaces collapsed."""
    parts = [q.answer.plain_text(), q.core.plain_text() if q.core else ""]
    return " ".join(" ".join(parts).split()).casefold()


def formulas(guide: Guide) -> list[tuple[str, str]]:
    return [
        (q.id, n.text)
        for q in guide.questions
        for part in (q.answer, q.core)
        if part is not None
        for n in walk(part)
        if n.kind in MATH
    ]


@pytest.mark.parametrize("phrase", [*ERROR_PHRASES.values(), *IMPRECISION_PHRASES.values()])
def test_known_wrong_statements_are_gone(guide: Guide, phrase: str) -> None:
    hits = [q.id for q in guide.questions if phrase.casefold() in texts(q)]
    assert not hits, f"{phrase!r} still in {hits}"


def test_dropout_inference_is_stated_correctly(guide: Guide) -> None:
    for qid in ("dropout", "dropout-purpose"):
        text = texts(guide.question(qid))
        assert "inverted dropout" in text, qid
        assert "1-p" in text.replace(" ", "") or "1−p" in text.replace(" ", ""), qid


def test_every_question_has_a_short_core_answer(guide: Guide) -> None:
    for q in guide.questions:
        assert q.core is not None, f"{q.id} has no core answer"
        core = " ".join(q.core.plain_text().split())
        assert 40 <= len(core) <= 300, f"{q.id}: core answer of {len(core)} characters"
        sentences = len(re.findall(r"[.?!](?:\s|$)", core))
        assert 1 <= sentences <= 2, f"{q.id}: core answer of {sentences} sentences"


def test_every_corrected_question_has_sources(guide: Guide) -> None:
    ids = {q.id for q in guide.questions}
    assert set(CORRECTED) <= ids
    for qid, fixes in CORRECTED.items():
        sources = guide.question(qid).sources
        assert sources is not None, f"{qid} ({fixes}) has no sources"
        assert len(sources.plain_text().strip()) > 10, qid


def test_twins_link_to_each_other(guide: Guide) -> None:
    for first, second in TWINS:
        assert second in guide.question(first).see_also, f"{first} does not name its twin {second}"
        assert first in guide.question(second).see_also, f"{second} does not name its twin {first}"


def test_twins_are_not_copies(guide: Guide) -> None:
    for first, second in TWINS:
        a, b = guide.question(first), guide.question(second)
        assert a.answer_text() != b.answer_text()
        assert texts(a) != texts(b)


def test_see_also_links_resolve_and_mostly_go_both_ways(guide: Guide) -> None:
    ids = {q.id for q in guide.questions}
    for q in guide.questions:
        for target in q.see_also:
            assert target in ids, f"{q.id} links to unknown {target}"
            assert q.id in guide.question(target).see_also, f"{q.id} -> {target} has no link back"


def test_core_formulas_are_present(guide: Guide) -> None:
    for qid in CORE_FORMULAS:
        maths = [n for n in walk(guide.question(qid).answer) if n.kind == "math_block"]
        assert maths, f"{qid} has no display formula"


def test_lstm_cell_is_one_aligned_block(guide: Guide) -> None:
    blocks = [n.text for n in walk(guide.question("lstm").answer) if n.kind == "math_block"]
    assert any(r"\begin{aligned}" in b and r"\mathbf c_t" in b for b in blocks)


def test_every_formula_renders_with_ziamath(guide: Guide) -> None:
    ziamath = pytest.importorskip("ziamath")
    from ziamath.tex import tex2mml

    found = formulas(guide)
    assert len(found) > 50
    for qid, tex in found:
        mathml = tex2mml(tex)
        # latex2mathml leaves a command it does not know as literal text, e.g. <mi>\foo</mi>.
        assert "<mi>\\" not in mathml and "<mo>\\" not in mathml and "merror" not in mathml, f"{qid}: {tex}"
        assert ziamath.Latex(tex).svg().startswith("<svg"), f"{qid}: {tex}"
