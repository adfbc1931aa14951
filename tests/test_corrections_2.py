"""The second content review: its error, imprecisions and citations fixed; seven new questions in every output."""

from __future__ import annotations

import math
from collections import Counter
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from card_view import describe, view
from readers import cards, import_apkg, normalize, pdf_text

from studyguide.check.lint import TWIN_SIMILARITY, _cosine, lint, vocabulary, words
from studyguide.markup.math.split import pieces
from studyguide.model import Guide, Question

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# The wrong or overstated wording the second review quotes; none may survive in an answer.
WRONG = {
    "E1 gated RNNs as a fix for exploding gradients (core)": "with careful initialization and gated RNNs",
    "E1 gated RNNs as a fix for exploding gradients (bullet)": "Gated Recurrent Units and Normalization",
    "M1 spectral radius as the condition": "spectral radius above 1",
    "M2 batch norm explained for good": "the better explanation is that it makes the loss landscape smoother",
    "M2 covariate shift as the rationale": "the layer sees a consistent distribution",
    "M2 smoother landscape as settled (Q38)": "the effect is better explained by a smoother",
    "M3 non-saturating loss only early": "Early in training the generator usually maximizes",
    "M4 a few discriminator steps": "a few gradient steps for the discriminator",
    "M5 lambda instead of lambda/2": "L2 adds λ times the sum",
    "M6 GRU as the group's name": "Gated Recurrent Units",
}

# What each fix must now say (question id, words of the corrected answer, core answer or sources).
RIGHT = [
    ("exploding-gradient", "not a fix: gated rnns"),
    ("exploding-gradient", "is necessary for gradients to explode, not sufficient"),
    ("batch-normalization", "why it works is still debated"),
    ("batch-normalization-benefits", "still an open question"),
    ("gan", "for the whole of training"),
    ("gan", "its experiments used k=1"),
    ("l1-vs-l2-regularization", "l2 adds λ/2 times the sum of squared weights"),
    ("vanishing-gradient", "row vectors"),
    ("backpropagation", "column vectors"),
    ("gan", "theorem 1"),
    ("activation-functions", "§6.3.1"),
    ("activation-function-role", "§6.3.1"),
    ("neural-networks", "ch. 6 (introduction"),
    ("bias-term", "§5.1.4"),
    ("supervised-unsupervised-semi-supervised", "§7.6"),
    ("missing-data", "mnar"),
    ("missing-data", "3rd ed. (wiley, 2019)"),
]

# The review's seven missing topics: question id, its section, the papers its sources must name.
NEW = {
    "optimizers": ("training-and-optimization", ["Kingma & Ba", "Loshchilov & Hutter", "Goodfellow"]),
    "cross-entropy": ("foundations", ["Goodfellow"]),
    "transformer": ("architectures", ["Vaswani et al."]),
    "vae": ("generative-and-representation-learning", ["Kingma & Welling", "Goodfellow"]),
    "layer-normalization": ("training-and-optimization", ["Ba, Kiros & Hinton", "Wu & He", "Goodfellow"]),
    "receptive-field": ("architectures", ["Goodfellow"]),
    "self-supervised-learning": ("learning-paradigms", ["Chen, Kornblith, Norouzi & Hinton"]),
}

# The formula each topic is asked for, as TeX fragments of its display formulas. The third review split the
# optimizers and transformer cards: AdamW's update, the causal mask and the heads now have questions of their own.
FORMULA_PARTS = {
    "optimizers": [r"1-\beta_1^{t}", r"1-\beta_2^{t}", r"\sqrt{\hat{\mathbf v}_t}+\epsilon"],
    "adamw": [r"(1-\eta\lambda)\,\theta_{t-1}"],
    "cross-entropy": [r"y_k\log\hat y_k", r"\hat y_k-y_k"],
    "transformer": [r"\sqrt{d_k}"],
    "causal-mask": [r"-\infty & j>i"],
    "multi-head-attention": [r"\mathrm{Concat}(\mathrm{head}_1,\dots,\mathrm{head}_h)"],
    "vae": [r"D_{\mathrm{KL}}", r"\boldsymbol\sigma_\phi(\mathbf x)\odot\boldsymbol\varepsilon"],
    "layer-normalization": [r"\frac{1}{d}\sum_{j=1}^{d}", r"\sqrt{\sigma^2+\epsilon}"],
    "receptive-field": [r"r_l=r_{l-1}+(k_l-1)\prod_{i=1}^{l-1}s_i"],
    "self-supervised-learning": [r"\log p_\theta(x_t\mid x_{<t})", r"\sum_{k\ne i}"],
}


def flat(q: Question) -> str:
    """Return the answer, core answer and sources of a question, lowercased, spaces collapsed."""
    parts = [q.answer.plain_text()] + [p.plain_text() for p in (q.core, q.sources) if p is not None]
    return " ".join(" ".join(parts).split()).casefold()


def formulas(guide: Guide, qid: str) -> list[str]:
    """Return the TeX of every formula of a question (answer, core answer, sources) as the outputs draw and name
    them: a long inline one in the pieces a line may break between (tests/test_math_split.py checks those)."""
    found = guide.nodes("math_inline", "math_block")
    drawn = (pieces(n.text) if n.kind == "math_inline" else (n.text,) for q, n in found if q.id == qid)
    return [piece.strip() for formula in drawn for piece in formula]


@pytest.mark.parametrize("phrase", WRONG.values(), ids=WRONG.keys())
def test_wrong_statements_of_the_second_review_are_gone(guide: Guide, phrase: str) -> None:
    assert not [q.id for q in guide.questions if phrase.casefold() in flat(q)]


@pytest.mark.parametrize(("qid", "words_"), RIGHT)
def test_corrections_say_what_the_review_asks(guide: Guide, qid: str, words_: str) -> None:
    assert words_ in flat(guide.question(qid)).replace("k = 1", "k=1"), qid


def test_every_question_has_a_core_answer_and_sources(guide: Guide) -> None:
    assert len(guide.questions) == 81  # 49 after this review; the third review added 32
    for q in guide.questions:
        assert q.core is not None and q.core.plain_text().strip(), q.id
        assert q.sources is not None and len(q.sources.plain_text().strip()) > 20, q.id


def test_new_questions_sit_in_their_sections_with_known_tags_and_sources(guide: Guide) -> None:
    allowed = vocabulary(guide)
    assert allowed is not None
    section_of = {q.id: s.id for s in guide.sections for q in s.questions}
    for qid, (section, authors) in NEW.items():
        q = guide.question(qid)
        assert section_of[qid] == section
        assert set(q.tags) <= allowed, qid
        assert q.sources is not None
        for author in authors:
            assert author in q.sources.plain_text(), (qid, author)


def test_new_questions_link_both_ways(guide: Guide) -> None:
    for qid in NEW:
        q = guide.question(qid)
        assert len(q.see_also) >= 2, qid
        for target in q.see_also:
            assert qid in guide.question(target).see_also, f"{target} does not link back to {qid}"


def test_new_questions_carry_the_formulas_asked_for(guide: Guide) -> None:
    for qid, parts in FORMULA_PARTS.items():
        blocks = [n.text for q, n in guide.nodes("math_block") if q.id == qid]
        assert blocks, qid
        for part in parts:
            assert any(part in b for b in blocks), (qid, part)


def test_no_unlinked_near_duplicates(guide: Guide) -> None:
    """The lint warns about nothing, and no pair with a new question reaches the twin threshold unlinked."""
    assert lint(guide) == []
    counts = {q.id: words(q) for q in guide.questions}
    norms = {qid: math.sqrt(sum(v * v for v in c.values())) for qid, c in counts.items()}
    for a, b in combinations(guide.questions, 2):
        if a.id in NEW or b.id in NEW:
            score = _cosine(counts[a.id], counts[b.id], norms[a.id] * norms[b.id])
            linked = b.id in a.see_also or a.id in b.see_also
            assert score < TWIN_SIMILARITY or linked, (a.id, b.id, score)


# --- the outputs: one build of every format (conftest's `built`), read with real readers -----------


@pytest.fixture(scope="module")
def backs(built: dict[str, Path]) -> dict[str, str]:
    """The back of every card of the built deck, by question id, as Anki renders it."""
    col = import_apkg(built["anki"])
    try:
        return {c.fields["Id"]: c.answer for c in cards(col)}
    finally:
        col.close()


def test_new_formulas_render_on_cards_with_ankis_mathjax(
    guide: Guide, backs: dict[str, str], browser: Browser, tmp_path: Path
) -> None:
    ids = list(NEW)
    for qid, seen in zip(ids, view(browser, [backs[i] for i in ids], tmp_path, width=390), strict=True):
        assert seen.errors == [], (qid, describe(seen))
        assert seen.math == len(formulas(guide, qid)), (qid, describe(seen))
        assert seen.width <= seen.room, (qid, describe(seen))
        assert "\\frac" not in seen.text and "\\mathbf" not in seen.text, qid


PAGE_FORMULAS = """(id) => {
  const q = document.getElementById(id);
  q.open = true;
  return [...q.querySelectorAll("svg[role=img]")].map((svg) => {
    const box = svg.getBoundingClientRect();
    return [svg.querySelector("title").textContent.trim(), box.width, box.height];
  });
}"""


def test_new_formulas_render_on_the_page(guide: Guide, built: dict[str, Path], browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        page = context.new_page()
        page.goto(built["html"].as_uri())
        for qid in NEW:
            drawn: list[Any] = page.evaluate(PAGE_FORMULAS, qid)
            assert Counter(title for title, _, _ in drawn) == Counter(formulas(guide, qid)), qid
            assert all(width > 0 and height > 0 for _, width, height in drawn), qid
    finally:
        context.close()


def pdf_alt_texts(path: Path) -> list[str]:
    """Return the alternative text of every tagged element of a PDF (a formula's is its TeX)."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject

    found: list[str] = []
    root = PdfReader(str(path)).trailer["/Root"].get_object()
    assert isinstance(root, DictionaryObject)
    stack: list[Any] = [root["/StructTreeRoot"]]
    while stack:
        item = stack.pop().get_object()
        if isinstance(item, DictionaryObject):
            if "/Alt" in item:
                found.append(str(item["/Alt"]).strip())
            if "/K" in item:
                stack.append(item["/K"])
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return found


def test_new_questions_and_formulas_are_in_the_pdf(guide: Guide, built: dict[str, Path]) -> None:
    alts = Counter(pdf_alt_texts(built["pdf"]))
    text = normalize(" ".join(pdf_text(built["pdf"])))
    for qid in NEW:
        q = guide.question(qid)
        assert normalize(q.title) in text, qid
        assert q.core is not None and normalize(q.core.plain_text())[:60] in text, qid
        for tex in formulas(guide, qid):
            assert alts[tex] >= 1, (qid, tex)
    assert "\\frac" not in text and "\\mathbf" not in text
