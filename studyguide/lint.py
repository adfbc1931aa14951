"""Content lint for `--check`: warnings that do not stop a build."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from itertools import combinations

from .errors import Problem
from .model import Guide, Question
from .reading import MAX_FILE_BYTES, ReadError, read_bytes

TAGS_FILE = "tags.txt"
LONG_ANSWER = 600
TWIN_SIMILARITY = 0.75


def lint(guide: Guide) -> list[Problem]:
    """Return every warning about the guide, sorted by file and line."""
    warnings = _tags(guide) + _long_without_core(guide) + _unlinked_twins(guide)
    return sorted(warnings, key=lambda p: (str(p.path), p.line, p.message))


def vocabulary(guide: Guide) -> set[str] | None:
    """Return the controlled tag vocabulary from content/tags.txt, or None if there is none."""
    path = guide.root / TAGS_FILE
    if not path.is_file() and not path.is_symlink():
        return None
    try:
        lines = read_bytes(path, guide.root, MAX_FILE_BYTES).decode("utf-8", errors="replace").splitlines()
    except ReadError:
        return None
    return {line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")}


def _tags(guide: Guide) -> list[Problem]:
    """Warn about tags outside the vocabulary."""
    allowed = vocabulary(guide)
    if allowed is None:
        return [Problem(guide.root / TAGS_FILE, 0, "warning: no tag vocabulary; list the allowed tags, one a line")]
    return [
        Problem(q.source.path, q.source.line, f"warning: tag '{tag}' is not in {TAGS_FILE}")
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
            f"warning: answer of {len(q.answer_text())} characters has no core answer (> {LONG_ANSWER})",
        )
        for q in guide.questions
        if q.core is None and len(q.answer_text()) > LONG_ANSWER
    ]


STOPWORDS = frozenset(
    "the a an of to and in is are for with that as by on or it be this from can which their its into each when "
    "during more not but such like than".split()
)


def words(q: Question) -> Counter[str]:
    """Return the content words of a question's title and answer, counted."""
    found = re.findall(r"[a-z]+", f"{q.title} {q.answer_text()}".lower())
    return Counter(w for w in found if len(w) > 2 and w not in STOPWORDS)


def cosine(a: Counter[str], b: Counter[str]) -> float:
    """Return the cosine similarity of two word counts."""
    dot = sum(count * b[word] for word, count in a.items() if word in b)
    norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def _unlinked_twins(guide: Guide) -> list[Problem]:
    """Warn about pairs of near-duplicate answers where neither names the other in 'See also'."""
    questions = guide.questions
    counts = [words(q) for q in questions]
    holders: dict[str, list[int]] = defaultdict(list)
    for number, count in enumerate(counts):
        for word in count:
            holders[word].append(number)
    rare = max(20, len(questions) // 10)
    candidates = {pair for docs in holders.values() if len(docs) <= rare for pair in combinations(docs, 2)}
    warnings = []
    for i, j in sorted(candidates):
        score = cosine(counts[i], counts[j])
        if score >= TWIN_SIMILARITY and not _linked(questions[i], questions[j]):
            first, later = questions[i], questions[j]
            warnings.append(
                Problem(
                    later.source.path,
                    later.source.line,
                    f"warning: answer is {score:.0%} like '{first.id}' ({first.source}); "
                    "link the twins with 'See also:' or make them differ",
                )
            )
    return warnings


def _linked(a: Question, b: Question) -> bool:
    """Return whether either question names the other in 'See also'."""
    return b.id in a.see_also or a.id in b.see_also
