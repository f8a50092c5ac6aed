"""Fusion: the dense and BM25 candidate lists as one ranking, with the query rules' bonuses.

Convex fusion min-max normalises each list's scores over its candidates and mixes them as
``alpha * dense + (1 - alpha) * bm25``, so a chunk that both score well wins and how far
ahead a top hit stands counts. Reciprocal rank fusion (RRF) sums ``weight / (rrf_k +
rank)`` over the two rankings. Then each query rule in :mod:`assistant.retrieval.rules`
adds its bonus, on the scale where a chunk first in both lists scores 1.

The constants are the embedding profile's (``assistant.settings.PROFILE_FUSION``); a
:class:`Fusion` is always made from Settings, so no default here can disagree with them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from assistant.retrieval.rules import rule_bonuses
from assistant.types import Passage


@dataclass(frozen=True)
class Fusion:
    """How two candidate lists become one ranking (see ``Settings.fusion()``)."""

    method: Literal["convex", "rrf"]
    alpha: float  # convex: the dense share
    rrf_k: float  # rrf: the rank constant
    dense_weight: float  # rrf: weight of the dense ranking
    bm25_weight: float  # rrf: weight of the BM25 ranking
    number_weight: float  # query rule bonuses; 0 turns a rule off
    source_weight: float
    date_weight: float

    @property
    def top(self) -> float:
        """The score of a chunk first in both lists: the scale the bonuses are given on."""
        if self.method == "rrf":
            return (self.dense_weight + self.bm25_weight) / (self.rrf_k + 1)
        return 1.0


def min_max(passages: list[Passage]) -> dict[str, float]:
    """Scores scaled to 0..1 over the list (all 1.0 when they are equal)."""
    if not passages:
        return {}
    high = max(p.score for p in passages)
    low = min(p.score for p in passages)
    if high == low:
        return {p.chunk_id: 1.0 for p in passages}
    return {p.chunk_id: (p.score - low) / (high - low) for p in passages}


def fuse_convex(dense: list[Passage], lexical: list[Passage], *, alpha: float) -> list[Passage]:
    """``alpha * dense + (1 - alpha) * bm25`` over min-max normalised scores; a chunk
    missing from one list scores 0 there."""
    dense_norm, bm25_norm = min_max(dense), min_max(lexical)
    merged = {p.chunk_id: p for p in lexical}
    for passage in dense:
        old = merged.get(passage.chunk_id)
        merged[passage.chunk_id] = (
            replace(passage, bm25_rank=old.bm25_rank) if old is not None else passage
        )
    scores = {
        cid: alpha * dense_norm.get(cid, 0.0) + (1 - alpha) * bm25_norm.get(cid, 0.0)
        for cid in merged
    }
    order = sorted(merged, key=lambda cid: scores[cid], reverse=True)
    return [replace(merged[cid], score=scores[cid]) for cid in order]


def fuse_rrf(
    dense: list[Passage],
    lexical: list[Passage],
    *,
    rrf_k: float,
    dense_weight: float,
    bm25_weight: float,
) -> list[Passage]:
    """Weighted reciprocal rank fusion of the two rankings."""
    merged: dict[str, Passage] = {}
    scores: dict[str, float] = {}
    for passage in dense:
        merged[passage.chunk_id] = passage
        scores[passage.chunk_id] = dense_weight / (rrf_k + (passage.dense_rank or 0))
    for passage in lexical:
        contribution = bm25_weight / (rrf_k + (passage.bm25_rank or 0))
        if passage.chunk_id in merged:
            merged[passage.chunk_id] = replace(
                merged[passage.chunk_id], bm25_rank=passage.bm25_rank
            )
        else:
            merged[passage.chunk_id] = passage
        scores[passage.chunk_id] = scores.get(passage.chunk_id, 0.0) + contribution
    order = sorted(merged, key=lambda cid: scores[cid], reverse=True)
    return [replace(merged[cid], score=scores[cid]) for cid in order]


def fuse(dense: list[Passage], lexical: list[Passage], query: str, fusion: Fusion) -> list[Passage]:
    """The two candidate lists as one ranking, with the query rules' bonuses."""
    if fusion.method == "rrf":
        fused = fuse_rrf(
            dense,
            lexical,
            rrf_k=fusion.rrf_k,
            dense_weight=fusion.dense_weight,
            bm25_weight=fusion.bm25_weight,
        )
    else:
        fused = fuse_convex(dense, lexical, alpha=fusion.alpha)
    bonuses = rule_bonuses(
        query,
        fused,
        number_weight=fusion.number_weight,
        source_weight=fusion.source_weight,
        date_weight=fusion.date_weight,
    )
    if bonuses is None:
        return fused
    boosted = [
        replace(p, score=p.score + fusion.top * b) for p, b in zip(fused, bonuses, strict=True)
    ]
    return sorted(boosted, key=lambda p: p.score, reverse=True)
