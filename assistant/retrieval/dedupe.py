"""Near-duplicate passages (one wire story run by two outlets) collapse to the better-ranked.

Two passages are the same story when the share of the shorter one's word 3-grams found in
the other reaches a threshold (0.8 by default: :class:`assistant.settings.RetrievalSettings`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from assistant.types import Passage

_WORDS = re.compile(r"\w+")


def shingles(text: str, n: int = 3) -> set[tuple[str, ...]]:
    """Word n-grams of a text, lower-cased: the unit of near-duplicate detection."""
    words = _WORDS.findall(text.lower())
    if len(words) < n:
        return {tuple(words)}
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def jaccard(a: set[Any], b: set[Any]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def containment(a: set[Any], b: set[Any]) -> float:
    """Share of the smaller set found in the other: 1.0 when one text holds the other."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def first_distinct(
    ranked: Iterable[Passage], k: int, same: Callable[[Passage, Passage], bool]
) -> list[Passage]:
    """The first k passages, skipping any that ``same`` pairs with a better-ranked one kept."""
    kept: list[Passage] = []
    for passage in ranked:
        if any(same(passage, other) for other in kept):
            continue
        kept.append(passage)
        if len(kept) == k:
            break
    return kept


def collapse_duplicates(ranked: list[Passage], k: int, *, threshold: float) -> list[Passage]:
    """The first k passages, skipping any that repeats a better-ranked one's text."""
    grams: dict[str, set[tuple[str, ...]]] = {}

    def of(passage: Passage) -> set[tuple[str, ...]]:
        if passage.chunk_id not in grams:
            grams[passage.chunk_id] = shingles(passage.text)
        return grams[passage.chunk_id]

    return first_distinct(ranked, k, lambda a, b: containment(of(a), of(b)) >= threshold)
