"""Content lint for `--check`: warnings that do not stop a build."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

from studyguide.check.printable import unprintable
from studyguide.errors import Problem
from studyguide.model import Guide, Node, Question
from studyguide.parse.reading import MAX_FILE_BYTES, ReadError, read_bytes

TAGS_FILE = "tags.txt"
LONG_ANSWER = 600
TWIN_SIMILARITY = 0.75


def lint(guide: Guide) -> list[Problem]:
    """Return every warning about the guide, sorted by file and line."""
    warnings = _tags(guide) + _long_without_core(guide) + _unlinked_twins(guide) + unprintable(guide)
    return sorted(warnings, key=lambda p: (str(p.path), p.line, p.message))


def vocabulary(guide: Guide) -> set[str] | None:
    """Return the controlled tag vocabulary from content/tags.txt, or None if there is none that can be read."""
    found = _vocabulary(guide)
    return None if isinstance(found, str) else found


def _vocabulary(guide: Guide) -> set[str] | str | None:
    """Return the controlled tag vocabulary, None if there is none, or why tags.txt cannot be read."""
    path = guide.root / TAGS_FILE
    if not path.exists() and not path.is_symlink():  # a folder, a FIFO or a loop is read, and refused
        return None
    try:
        lines = read_bytes(path, guide.root, MAX_FILE_BYTES).decode("utf-8", errors="replace").splitlines()
    except ReadError as exc:
        return f"file {exc}"
    return {line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")}


def _tags(guide: Guide) -> list[Problem]:
    """Warn about tags outside the vocabulary (and about a vocabulary that is missing or cannot be read)."""
    allowed = _vocabulary(guide)
    if allowed is None:
        return [Problem(guide.root / TAGS_FILE, 0, "no tag vocabulary; list the allowed tags, one a line", "warning")]
    if isinstance(allowed, str):
        return [Problem(guide.root / TAGS_FILE, 0, f"{allowed}: tags are not checked", "warning")]
    return [
        Problem(q.source.path, q.source.line, f"tag '{tag}' is not in {TAGS_FILE}", "warning")
        for q in guide.questions
        for tag in q.tags
        if tag not in allowed
    ]


def _long_without_core(guide: Guide) -> list[Problem]:
    """Warn about long answers that have no core answer to lead with."""
    return [
        Problem(
            q.source.path,
            q.source.line,
            f"answer of {len(q.answer_text())} characters has no core answer (> {LONG_ANSWER})",
            "warning",
        )
        for q in guide.questions
        if q.core is None and len(q.answer_text()) > LONG_ANSWER
    ]


STOPWORDS = frozenset(
    "the a an of to and in is are for with that as by on or it be this from can which their its into each when "
    "during more not but such like than".split()
)


WORD = re.compile(r"[^\W\d_]+")  # a run of letters of any script (Unicode word boundaries)


def words(q: Question) -> Counter[str]:
    """Return the content words of a question's title and answer, counted: letters of any script, formulas left out."""
    found = WORD.findall(f"{q.title} {prose(q.answer)}".casefold())
    return Counter(w for w in found if len(w) > 2 and w not in STOPWORDS)


def prose(node: Node) -> str:
    """Return a tree's visible text without its formulas (their TeX commands are no words of the answer)."""
    if node.kind in ("math_inline", "math_block"):
        return " "
    if not node.children:
        return node.plain_text()
    return " ".join(prose(child) for child in node.children)


SIGNATURE_WORDS = 4  # each answer is looked up by its rarest words...
BUCKET_PEERS = 6  # ...and compared with at most this many earlier answers that share each of them


def _unlinked_twins(guide: Guide) -> list[Problem]:
    """Warn about a question whose answer nearly repeats an earlier one, neither naming the other in 'See also'.

    Twins share their rarest words, so each answer is compared only with a few earlier answers that
    have one of its rarest words among theirs (a bounded number per answer): the cost stays linear
    in the guide, even for 20,000 answers written to collide. Each question names its first twin.
    """
    questions = guide.questions
    counts = [words(q) for q in questions]
    norms = [math.sqrt(sum(v * v for v in c.values())) for c in counts]
    frequency: Counter[str] = Counter(word for count in counts for word in count)
    buckets: dict[str, list[int]] = defaultdict(list)
    warnings = []
    for later, count in enumerate(counts):
        signature = sorted(count, key=lambda word: (frequency[word], word))[:SIGNATURE_WORDS]
        peers = sorted({i for word in signature for i in buckets[word][:BUCKET_PEERS]})
        for first in peers:
            score = _cosine(counts[first], count, norms[first] * norms[later])
            if score >= TWIN_SIMILARITY and not _linked(questions[first], questions[later]):
                warnings.append(_twin_warning(questions[first], questions[later], score))
                break
        for word in signature:
            buckets[word].append(later)
    return warnings


def _cosine(a: Counter[str], b: Counter[str], norms: float) -> float:
    """Return the cosine similarity of two word counts whose norms multiply to `norms`."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return sum(n * large[w] for w, n in small.items() if w in large) / norms if norms else 0.0


def _twin_warning(first: Question, later: Question, score: float) -> Problem:
    """Return the warning that `later` repeats `first`."""
    return Problem(
        later.source.path,
        later.source.line,
        f"answer is {score:.0%} like '{first.id}' ({first.source}); "
        "link the twins with 'See also:' or make them differ",
        "warning",
    )


def _linked(a: Question, b: Question) -> bool:
    """Return whether either question names the other in 'See also'."""
    return b.id in a.see_also or a.id in b.see_also
