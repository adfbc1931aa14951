"""The third content review: its error, imprecisions and citations fixed; the 2026 topics; one fact per card."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from card_view import describe, view
from readers import cards, import_apkg

from studyguide.check.lint import lint, vocabulary
from studyguide.markup.math.split import pieces
from studyguide.model import Guide, Question

if TYPE_CHECKING:
    from playwright.sync_api import Browser

QUESTIONS = 81  # 49, the review's twelve topics in 19 questions, and 13 questions split off the five worst cards

# The wrong or dated wording the third review quotes; none may survive in an answer, core answer or sources.
WRONG = {
    "E1 SimCLR's 76.5% given to a standard ResNet-50": "resnet-50 features reached 76.5% top-1 accuracy on imagenet",
    "I1 ReLU as the default, no GELU (bullet)": "it is the default in hidden layers: it is cheap",
    "I1 ReLU as the default, no GELU (twin)": "the default for hidden layers thanks to its simplicity",
    "I2 loss and cost as a definition": "strictly, the loss is computed per example and the cost is its average",
    "I3 zero biases, never decayed": "biases are usually initialized to zero and are not penalized by weight decay",
    "I4 Adam steps by the ratio": "and steps by their ratio",
    "I5 norms above 1 make it explode": "if they are larger than 1, it explodes",
    "I6 per-channel BN not in the paper": "in the original paper, each pre-activation",
    "I7 Xavier for the sigmoid": "xavier suits tanh and sigmoid",
    "I8 little data, smaller model": "with limited data, simpler models are preferable",
    "I9 percentage points read as percent": "has 10.6% lower error than with batch norm",
    "I10 LayerNorm the standard in RNNs and Transformers": "it is the standard normalization in rnns and transformers",
    "I11 L1 exact zeros under any optimizer": "its constant pull toward zero sets many weights to exactly zero",
    "I12 exact equivariance whatever the stride": "equivariance: shifting the input shifts the feature map.",
    "I13 attention as a set, even with a causal mask": "attention treats its input as a set",
    "I14 everything parallel, O(n^2 d) only": "all positions are computed in parallel, unlike in an rnn",
    "I15 squared error without its variance": "(squared error for a gaussian decoder, cross-entropy for binary pixels)",
    "I16 BERT-style pretraining under today's LLMs": "bert-style and gpt-style pretraining underlies",
}

# What each fix must now say: (question id, words of its answer, core answer or sources).
RIGHT = [
    ("self-supervised-learning", "69.3%"),  # E1
    ("self-supervised-learning", "four times as wide"),  # E1
    ("activation-functions", "gelu"),  # I1
    ("activation-functions", "swiglu"),  # I1
    ("activation-function-role", "gelu"),  # I1
    ("cost-function", "a common convention calls the per-example quantity the loss"),  # I2
    ("bias-term", "parameter groups"),  # I3
    ("bias-term", "forget gate"),  # I3
    ("vanishing-gradient", "make explosion possible but do not guarantee it"),  # I5
    ("batch-normalization", "pooled over the batch and all spatial positions"),  # I6
    ("weight-initialization", "for the sigmoid it is only an approximation"),  # I7
    ("choosing-layers-and-neurons", "fine-tune a pretrained model"),  # I8
    ("group-normalization", "10.6 percentage points"),  # I9
    ("group-normalization", "34.7%"),  # I9
    ("transformer-normalization", "rmsnorm"),  # I10
    ("layer-normalization", "rmsnorm"),  # I10
    ("l1-vs-l2-regularization", "proximal"),  # I11
    ("cnn-vs-fully-connected", "for stride 1"),  # I12
    ("cnn-vs-fully-connected", "only approximate"),  # I12
    ("positional-encodings", "rope"),  # I13
    ("positional-encodings", "alibi"),  # I13
    ("positional-encodings", "without any positional encoding"),  # I13
    ("attention-cost", "nd^2"),  # I14
    ("attention-cost", "prefill"),  # I14
    ("attention-cost", "decoding is sequential"),  # I14
    ("vae", "fixed variance"),  # I15
    ("vae", "β-vae"),  # I15
    ("self-supervised-learning", "gpt-style next-token pretraining underlies today"),  # I16
    ("imbalanced-datasets", "recalibrate"),  # I17
]

# I4 is about what a learner recites: the core answer itself must name the square root.
CORE_RIGHT = [("optimizers", "square root of the second")]

# The citations the review found missing (C1-C10): question id, a name or id its sources must hold.
CITED = [
    ("deep-learning-vs-machine-learning", "Grinsztajn"),  # C1
    ("batch-normalization-benefits", "Arora, Li & Lyu"),  # C2
    ("batch-normalization-benefits", "Bjorck"),  # C2
    ("learning-rate-decay", "Loshchilov & Hutter"),  # C3
    ("learning-rate-decay", "Goyal"),  # C3
    ("optimizers", "Wilson"),  # C4
    ("transformer", "Xiong"),  # C5
    ("receptive-field", "Lin, Chen & Yan"),  # C6
    ("receptive-field", "Springenberg"),  # C6
    ("self-supervised-learning", "Radford"),  # C7
    ("self-supervised-learning", "Brown"),  # C7
    ("imbalanced-datasets", "Focal Loss"),  # C8
    ("transfer-learning", "Negative Transfer"),  # C9
    ("transfer-learning", "Yosinski"),  # C9
    ("attention", "1706.03762"),  # C10
    ("l1-vs-l2-regularization", "1711.05101"),  # C10
    ("seq2seq", "1409.3215"),  # C10
    ("gan", "1406.2661"),  # C10
    ("gan", "1703.10593"),  # C10
    ("self-supervised-learning", "1810.04805"),  # C10
    ("learning-rate", "1406.2572"),  # C10
    ("learning-rate-effects", "1406.2572"),  # C10
    ("weight-initialization", "PMLR 9:249–256"),  # C10
    ("vanishing-gradient", "PMLR 9:249–256"),  # C10
]

# The review's twelve missing topics: each has questions (id, a phrase of the answer, the section it sits in).
TOPICS = {
    "KV cache, MQA/GQA, FlashAttention": [
        ("kv-cache", "kv cache", "large-language-models"),
        ("grouped-query-attention", "grouped-query attention", "large-language-models"),
        ("flash-attention", "online softmax", "architectures"),
    ],
    "LoRA and parameter-efficient fine-tuning": [("lora", "low-rank", "large-language-models")],
    "RLHF and DPO": [
        ("rlhf", "reward model", "large-language-models"),
        ("dpo", "direct preference optimization", "large-language-models"),
    ],
    "distributed training": [
        ("distributed-training", "pipeline parallelism", "training-and-optimization"),
        ("zero-fsdp", "fully sharded data parallel", "training-and-optimization"),
    ],
    "positional encodings: RoPE, ALiBi, context extension": [
        ("rotary-position-embedding", "rotates", "architectures"),
        ("long-context-extension", "position interpolation", "architectures"),
    ],
    "tokenization": [("tokenization", "wordpiece", "large-language-models")],
    "diffusion models": [("diffusion-models", "denoising", "generative-and-representation-learning")],
    "mixed precision and the memory budget": [
        ("mixed-precision-training", "loss scaling", "training-and-optimization"),
        ("training-memory-budget", "16 bytes", "training-and-optimization"),
    ],
    "quantization for inference": [("quantization", "post-training quantization", "large-language-models")],
    "scaling laws": [("scaling-laws", "chinchilla", "large-language-models")],
    "mixture of experts": [("mixture-of-experts", "router", "large-language-models")],
    "decoding strategies": [
        ("decoding-strategies", "top-p", "large-language-models"),
        ("speculative-decoding", "draft model", "large-language-models"),
    ],
}

# The five cards worst for spaced repetition, each split: the old id keeps its meaning, new ids take the rest.
SPLITS = {
    "transformer": ["positional-encodings", "causal-mask", "multi-head-attention", "attention-cost"],
    "optimizers": ["momentum", "adam-bias-correction", "adamw"],
    "batch-normalization-benefits": ["batch-normalization", "batch-norm-inference"],
    "imbalanced-datasets": ["imbalanced-metrics", "resampling-and-leakage", "smote"],
    "layer-normalization": ["group-normalization", "transformer-normalization"],
}

# The formula each new topic is asked for, as TeX fragments of its display formulas.
FORMULA_PARTS = {
    "kv-cache": [r"K_{1:t}", r"2\cdot n_{\text{layers}}"],
    "lora": [r"W_0+\frac{\alpha}{r}BA"],
    "rlhf": [r"\log\sigma", r"D_{\mathrm{KL}}"],
    "dpo": [
        r"\log\sigma\Big(",
        r"\beta\log\frac{\pi_\theta(y_w\mid x)}{\pi_{\text{ref}}(y_w\mid x)}",
        r"\pi_{\text{ref}}(y_l\mid x)",
    ],
    "training-memory-budget": [r"16\,\Psi"],
    "scaling-laws": [r"C\approx 6ND", r"D^{*}\approx 20\,N^{*}"],
    "diffusion-models": [r"\mathcal N\big(\sqrt{\bar\alpha_t}\,\mathbf x_0", r"\boldsymbol\epsilon_\theta"],
    "rotary-position-embedding": [r"\cos m\theta_i", r"n-m"],
    "quantization": [r"\mathrm{round}"],
    "mixture-of-experts": [r"\mathrm{TopK}"],
    "decoding-strategies": [r"z_i/T"],
    "speculative-decoding": [r"\min\Big(1,"],
}

# Every question this review adds: the topics' and the parts split off (batch-normalization is an old id, re-scoped).
TOPIC_IDS = {qid for qs in TOPICS.values() for qid, _, _ in qs}
NEW = sorted((TOPIC_IDS | {i for ids in SPLITS.values() for i in ids}) - {"batch-normalization"})


def flat(q: Question) -> str:
    """Return the answer, core answer and sources of a question, lowercased, spaces collapsed."""
    parts = [q.answer.plain_text()] + [p.plain_text() for p in (q.core, q.sources) if p is not None]
    return " ".join(" ".join(parts).split()).casefold()


def test_the_guide_has_the_new_questions(guide: Guide) -> None:
    assert len(guide.questions) == QUESTIONS
    assert len(NEW) == QUESTIONS - 49
    assert {q.id for q in guide.questions} >= set(NEW)


@pytest.mark.parametrize("phrase", WRONG.values(), ids=WRONG.keys())
def test_wrong_statements_of_the_third_review_are_gone(guide: Guide, phrase: str) -> None:
    assert not [q.id for q in guide.questions if phrase.casefold() in flat(q)]


@pytest.mark.parametrize(("qid", "words_"), RIGHT, ids=[f"{q}:{w}" for q, w in RIGHT])
def test_corrections_say_what_the_review_asks(guide: Guide, qid: str, words_: str) -> None:
    assert words_.casefold() in flat(guide.question(qid)), qid


@pytest.mark.parametrize(("qid", "words_"), CORE_RIGHT)
def test_core_answers_state_the_correction(guide: Guide, qid: str, words_: str) -> None:
    core = guide.question(qid).core
    assert core is not None and words_ in " ".join(core.plain_text().split()).casefold()


@pytest.mark.parametrize(("qid", "name"), CITED, ids=[f"{q}:{n}" for q, n in CITED])
def test_missing_citations_are_added(guide: Guide, qid: str, name: str) -> None:
    sources = guide.question(qid).sources
    assert sources is not None and name in sources.plain_text(), qid


@pytest.mark.parametrize("topic", TOPICS)
def test_each_new_topic_has_its_questions(guide: Guide, topic: str) -> None:
    section_of = {q.id: s.id for s in guide.sections for q in s.questions}
    for qid, phrase, section in TOPICS[topic]:
        assert qid in section_of, (topic, qid)
        assert section_of[qid] == section, (qid, section_of[qid])
        assert phrase in flat(guide.question(qid)), (qid, phrase)


def test_every_new_question_has_a_core_answer_sources_and_known_tags(guide: Guide) -> None:
    allowed = vocabulary(guide)
    assert allowed is not None
    for qid in NEW:
        q = guide.question(qid)
        assert q.core is not None and q.core.plain_text().strip(), qid
        assert q.sources is not None, qid
        assert "(20" in q.sources.plain_text() or "arXiv:" in q.sources.plain_text(), qid  # a dated paper or book
        assert set(q.tags) <= allowed, (qid, set(q.tags) - allowed)


def test_new_questions_link_both_ways(guide: Guide) -> None:
    for qid in NEW:
        q = guide.question(qid)
        assert q.see_also, f"{qid} links to nothing"
        for target in q.see_also:
            assert qid in guide.question(target).see_also, f"{target} does not link back to {qid}"


def test_split_cards_name_the_card_they_came_from(guide: Guide) -> None:
    for parent, parts in SPLITS.items():
        for part in parts:
            assert part in guide.question(parent).see_also, (parent, part)
            assert parent in guide.question(part).see_also, (part, parent)


@pytest.mark.parametrize(("qid", "parts"), FORMULA_PARTS.items(), ids=list(FORMULA_PARTS))
def test_new_questions_carry_the_formulas_asked_for(guide: Guide, qid: str, parts: list[str]) -> None:
    blocks = [n.text for q, n in guide.nodes("math_block") if q.id == qid]
    assert [part for part in parts if not any(part in b for b in blocks)] == []


def test_the_twins_no_longer_repeat_their_lists(guide: Guide) -> None:
    """S1: each bullet list of a twin pair appears in one of them only."""
    role = guide.question("activation-function-role").answer.plain_text()
    purpose = guide.question("dropout-purpose").answer.plain_text()
    batch = guide.question("batch-normalization").answer.plain_text()
    assert "Leaky ReLU" not in role and "Key Points" not in purpose and "Acts as Regularization" not in batch


def test_questions_without_see_also_now_have_it(guide: Guide) -> None:
    """S2: imbalanced data and missing data link to the questions they touch, and back."""
    assert {"cross-entropy", "missing-data"} <= set(guide.question("imbalanced-datasets").see_also)
    assert "imbalanced-datasets" in guide.question("missing-data").see_also


def test_headings_are_in_sentence_case(guide: Guide) -> None:
    """S11: no title capitalizes a common noun the way the source article did."""
    for phrase in ("Neural Networks", "Deep Learning", "Activation Function", "Learning Rate", "Overfitting in"):
        assert not [q.id for q in guide.questions if phrase in q.title], phrase


def test_the_lint_reports_nothing(guide: Guide) -> None:
    assert lint(guide) == []


def test_new_formulas_render_on_a_phone_card_with_ankis_mathjax(
    guide: Guide, built: dict[str, Path], browser: Browser, tmp_path: Path
) -> None:
    """Every new question's card back, as Anki's MathJax draws it 390 px wide: no error, every formula, no overflow."""
    col = import_apkg(built["anki"])
    try:
        backs = {c.fields["Id"]: c.answer for c in cards(col)}
    finally:
        col.close()
    for qid, seen in zip(NEW, view(browser, [backs[i] for i in NEW], tmp_path, width=390), strict=True):
        found = [n for q, n in guide.nodes("math_inline", "math_block") if q.id == qid]
        expected = sum(1 if n.kind == "math_block" else len(pieces(n.text)) for n in found)  # a long one in pieces
        assert seen.errors == [], (qid, describe(seen))
        assert seen.math == expected, (qid, describe(seen))
        assert seen.width <= seen.room, (qid, describe(seen))
