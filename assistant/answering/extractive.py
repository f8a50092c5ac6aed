"""The extractive answerer: no language model, just the passages' own best sentences.

Each sentence of the retrieved passages is scored by its embedding's cosine similarity to
the question plus the share of the question's content words it contains; the best few
become the answer, each cited ``[n]``. When even the best scores low, the answer is the
"not in the articles" reply.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.answering.citations import unmarked
from assistant.answering.sentences import content_words, sentence_spans, stemmer
from assistant.store.embedder import TextEmbedder
from assistant.types import Passage


@dataclass(frozen=True)
class Extract:
    """One sentence chosen for the answer."""

    n: int  # 1-based passage number
    sentence: str
    score: float


def relevance(
    question: str,
    sentences: list[str],
    embedder: TextEmbedder,
    *,
    lexical_weight: float = 0.3,
    stemmed: bool = False,
) -> np.ndarray:
    """How well each sentence answers the question: cosine similarity of their embeddings
    plus the share of the question's content words the sentence holds; ``stemmed``: as
    stems ("proposed" is there when the sentence says "proposal")."""
    if not sentences:
        return np.zeros(0)
    vectors = embedder.encode([question, *sentences])
    similarity = vectors[1:] @ vectors[0]
    words = _stems if stemmed else content_words
    wanted = words(question)
    lexical = np.array([len(wanted & words(s)) / (len(wanted) or 1) for s in sentences])
    return (1 - lexical_weight) * similarity + lexical_weight * lexical


def _stems(text: str) -> set[str]:
    return set(stemmer().stemWords(sorted(content_words(text))))


def pick_sentences(
    question: str,
    passages: list[Passage],
    embedder: TextEmbedder,
    *,
    max_sentences: int = 3,
    min_best: float = 0.3,
    relative: float = 0.5,
    lexical_weight: float = 0.3,
) -> list[Extract]:
    """The best sentences for the question, best first; empty when none is good enough.

    The answer is refused when the best sentence scores under ``min_best``; otherwise it
    takes up to ``max_sentences`` sentences scoring at least ``relative`` times the best.
    Set on the sample article: for "Who disputed the withdrawal?" the best sentence
    scores 0.51 and the White House's "we now know it was false" 0.28; for the unrelated
    "Who won the 2018 World Cup?" the best scores 0.09.
    """
    candidates: list[tuple[int, str]] = []
    for n, passage in enumerate(passages, start=1):
        for s, e in sentence_spans(passage.text):
            sentence = passage.text[s:e]
            if len(content_words(sentence)) >= 3:
                candidates.append((n, sentence))
    if not candidates:
        return []
    scores = relevance(
        question, [sentence for _, sentence in candidates], embedder, lexical_weight=lexical_weight
    )
    chosen: list[Extract] = []
    seen: set[str] = set()
    order = np.argsort(-scores)
    best = float(scores[order[0]])
    if best < min_best:
        return []
    for i in order:
        n, sentence = candidates[int(i)]
        if scores[i] < relative * best or len(chosen) == max_sentences:
            break
        key = " ".join(sorted(content_words(sentence)))
        if key in seen:  # the same sentence from an overlapping chunk
            continue
        seen.add(key)
        chosen.append(Extract(n, sentence, float(scores[i])))
    return chosen


def compose(extracts: list[Extract]) -> str:
    """The answer text: each chosen sentence followed by its marker (and none of the
    article's own bracketed numbers, :func:`unmarked`)."""
    return " ".join(f"{unmarked(e.sentence)} [{e.n}]" for e in extracts)
