"""BM25 over every chunk in the store (bm25s), rebuilt when the store changes.

BM25 finds the names, places and numbers that a small embedding model blurs. Each chunk is
indexed with its article's title, source and date ahead of it (see
:func:`assistant.store.with_context`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.store.chroma import ChunkStore, with_context
from assistant.types import NO_FILTERS, Filters


@dataclass(frozen=True)
class _Snapshot:
    """One build of the index: the model and the chunks it ranks, replaced whole.

    A search reads one snapshot from start to end, so a rebuild in another thread (an
    upload on the page) cannot swap the chunk list between ranking and reading it.
    """

    revision: int | None
    tokenizer: Any
    model: Any
    ids: tuple[str, ...]
    texts: tuple[str, ...]
    metas: tuple[dict[str, Any], ...]


_EMPTY = _Snapshot(None, None, None, (), (), ())


class BM25Index:
    """A bm25s index over every chunk in the store, rebuilt when the store changes."""

    def __init__(self, store: ChunkStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._snapshot = _EMPTY

    @staticmethod
    def tokenizer() -> Any:
        import bm25s
        import Stemmer  # PyStemmer

        return bm25s.tokenization.Tokenizer(stopwords="en", stemmer=Stemmer.Stemmer("english"))

    def invalidate(self) -> None:
        """Rebuild on the next search, whatever the store's revision says."""
        with self._lock:
            self._snapshot = _EMPTY

    def refresh(self) -> _Snapshot:
        """The index as of the store's current revision, rebuilt if anything was written."""
        revision = self.store.revision
        snapshot = self._snapshot
        if revision == snapshot.revision:
            return snapshot
        with self._lock:
            if revision == self._snapshot.revision:
                return self._snapshot
            import bm25s

            ids, texts, metas = self.store.all_chunks()
            tokenizer = self.tokenizer()
            model = None
            if ids:
                indexed = [
                    with_context(
                        t,
                        title=m.get("title", ""),
                        source=m.get("source", ""),
                        published=m.get("published", ""),
                    )
                    if self.store.context
                    else t
                    for t, m in zip(texts, metas, strict=True)
                ]
                tokens = tokenizer.tokenize(indexed, return_as="tuple", show_progress=False)
                model = bm25s.BM25()
                model.index(tokens, show_progress=False)
            self._snapshot = _Snapshot(
                revision, tokenizer, model, tuple(ids), tuple(texts), tuple(metas)
            )
            return self._snapshot

    @staticmethod
    def _scores(snapshot: _Snapshot, query: str) -> np.ndarray:
        """BM25 score of every chunk of the snapshot for the query."""
        if snapshot.model is None:
            return np.zeros(0, dtype=np.float32)
        query_ids = snapshot.tokenizer.tokenize(
            [query], update_vocab=False, return_as="ids", show_progress=False
        )[0]
        if not query_ids:
            return np.zeros(len(snapshot.ids), dtype=np.float32)
        return np.asarray(snapshot.model.get_scores(list(query_ids)), dtype=np.float32)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for the query (zeros where no query word occurs)."""
        return self._scores(self.refresh(), query)

    def top(
        self, query: str, n: int, filters: Filters
    ) -> list[tuple[str, str, dict[str, Any], float]]:
        """The n best chunks that pass the filters, as (id, text, metadata, score)."""
        snapshot = self.refresh()
        scores = self._scores(snapshot, query)
        if scores.size == 0:
            return []
        if filters != NO_FILTERS:
            allowed = np.fromiter(
                (filters.allows(m) for m in snapshot.metas), dtype=bool, count=len(snapshot.metas)
            )
            scores = np.where(allowed, scores, 0.0)
        n = min(n, int(np.count_nonzero(scores)))
        if n == 0:
            return []
        best = np.argpartition(-scores, n - 1)[:n]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [
            (snapshot.ids[i], snapshot.texts[i], dict(snapshot.metas[i]), float(scores[i]))
            for i in (int(j) for j in best)
        ]
