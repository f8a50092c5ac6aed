"""Hybrid search: dense search in Chroma and BM25, fused, near-duplicates collapsed.

Dense search finds paraphrases; BM25 finds the names, places and numbers that a small
embedding model blurs; :mod:`assistant.retrieval.fusion` makes one ranking of the two, and
:mod:`assistant.retrieval.dedupe` keeps one copy of a story that two outlets ran.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Literal

from assistant.retrieval.bm25 import BM25Index
from assistant.retrieval.dedupe import collapse_duplicates
from assistant.retrieval.fusion import Fusion, fuse
from assistant.retrieval.time_window import TIME_OFF, TimeHandling, question_window, time_bonuses
from assistant.store.chroma import ChunkStore
from assistant.store.embedder import TextEmbedder
from assistant.types import NO_FILTERS, Filters, Passage, TimeWindow

Mode = Literal["hybrid", "dense", "bm25"]


class HybridSearcher:
    """Dense + BM25 + fusion + near-duplicate collapse, over one store.

    Every constant comes from Settings (the Assistant passes them); none has a default
    here that could disagree.
    """

    def __init__(
        self,
        store: ChunkStore,
        embedder: TextEmbedder,
        *,
        fusion: Fusion,
        candidates: int,
        dedupe_threshold: float,
        mode: Mode,
        time: TimeHandling = TIME_OFF,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.bm25 = BM25Index(store)
        self.fusion = fusion
        self.candidates = candidates
        self.dedupe_threshold = dedupe_threshold
        self.mode = mode
        self.time = time

    def dense(self, query: str, n: int, filters: Filters = NO_FILTERS) -> list[Passage]:
        """The n chunks nearest the question's embedding."""
        vector = self.embedder.encode_query(query)
        hits = self.store.dense_query(vector, n, filters.chroma_where())
        return [
            replace(Passage.from_record(cid, text, meta), score=sim, dense_rank=rank)
            for rank, (cid, text, meta, sim) in enumerate(hits, start=1)
        ]

    def lexical(self, query: str, n: int, filters: Filters = NO_FILTERS) -> list[Passage]:
        """The n best BM25 chunks."""
        return [
            replace(Passage.from_record(cid, text, meta), score=score, bm25_rank=rank)
            for rank, (cid, text, meta, score) in enumerate(
                self.bm25.top(query, n, filters), start=1
            )
        ]

    def search(
        self,
        query: str,
        k: int,
        filters: Filters = NO_FILTERS,
        mode: Mode | None = None,
        *,
        window: TimeWindow | None = None,
    ) -> list[Passage]:
        """The k best passages for the query; mode is 'hybrid', 'dense' or 'bm25'.

        ``window`` is the time the question names (:meth:`time_window`): in filter mode
        only articles inside it, widened by the margin, are candidates; in weight mode
        (hybrid only) those inside it gain a bonus.
        """
        mode = mode or self.mode
        if not query.strip():
            return []
        if window is not None and self.time.mode == "filter":
            filters = replace(filters, window=window.widened(self.time.margin_days))
        n = max(self.candidates, k)
        dense = self.dense(query, n, filters) if mode in ("hybrid", "dense") else []
        lexical = self.lexical(query, n, filters) if mode in ("hybrid", "bm25") else []
        fused = self.fuse(dense, lexical, query) if mode == "hybrid" else dense or lexical
        if mode == "hybrid":
            fused = self.weigh_time(fused, window)
        return collapse_duplicates(fused, k, threshold=self.dedupe_threshold)

    def time_window(self, query: str, as_of: date) -> TimeWindow | None:
        """The days the query's time words name, asked on ``as_of``; None when it names
        none or time handling is off."""
        if self.time.mode == "off":
            return None
        return question_window(query, as_of=as_of)

    def weigh_time(self, fused: list[Passage], window: TimeWindow | None) -> list[Passage]:
        """The fused ranking with the time bonuses (weight mode, or recency) applied."""
        bonuses = time_bonuses(fused, window, self.time)
        if bonuses is None:
            return fused
        top = self.fusion.top
        boosted = [replace(p, score=p.score + top * b) for p, b in zip(fused, bonuses, strict=True)]
        return sorted(boosted, key=lambda p: p.score, reverse=True)

    def fuse(self, dense: list[Passage], lexical: list[Passage], query: str = "") -> list[Passage]:
        """The two candidate lists as one ranking, by this searcher's fusion."""
        return fuse(dense, lexical, query, self.fusion)
