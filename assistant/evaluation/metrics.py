"""Answer and retrieval metrics, as the shared benchmarks define them.

Answers use SQuAD's normalisation (lower case, no punctuation, no articles a/an/the,
single spaces); retrieval is scored at article level over the ranked article ids.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Iterable, Sequence

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = str.maketrans("", "", string.punctuation + "“”‘’")


def normalize_answer(text: str) -> str:
    """SQuAD normalisation: ``"The  Eiffel-Tower!" -> "eiffeltower"``."""
    text = text.lower().translate(_PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(prediction: str, answers: Sequence[str]) -> float:
    """1.0 when the normalised prediction equals a normalised gold answer."""
    pred = normalize_answer(prediction)
    return float(any(pred == normalize_answer(a) for a in answers))


def token_f1(prediction: str, answers: Sequence[str]) -> float:
    """Best token-overlap F1 of the prediction against the gold answers."""
    pred = normalize_answer(prediction).split()
    best = 0.0
    for answer in answers:
        gold = normalize_answer(answer).split()
        common = sum((Counter(pred) & Counter(gold)).values())
        if common == 0:
            continue
        precision, recall = common / len(pred), common / len(gold)
        best = max(best, 2 * precision * recall / (precision + recall))
    return best


def contains_answer(text: str, answers: Iterable[str]) -> float:
    """1.0 when a normalised gold answer appears in the normalised text."""
    haystack = f" {normalize_answer(text)} "
    return float(
        any(f" {normalize_answer(a)} " in haystack for a in answers if normalize_answer(a))
    )


def hit_at(ranked: Sequence[str], gold: set[str], k: int) -> float:
    """1.0 when a gold id is among the first k."""
    return float(bool(set(ranked[:k]) & gold))


def reciprocal_rank(ranked: Sequence[str], gold: set[str], k: int = 10) -> float:
    """1 / rank of the first gold id within the first k, else 0."""
    return next((1.0 / i for i, a in enumerate(ranked[:k], start=1) if a in gold), 0.0)
