"""BM25Index: a search reads one build of the index, whatever another thread rebuilds."""

from __future__ import annotations

import threading
from typing import Any

import bm25s
import pytest

from assistant.retrieval.bm25 import BM25Index
from assistant.types import NO_FILTERS

FERRY = "The harbour ferry resumed service on Monday."
BUDGET = "The council approved next year's budget."
LIBRARY = "The library scrapped late fees."


class _Store:
    """Just what BM25Index reads of a ChunkStore: a revision and every chunk."""

    context = False

    def __init__(self, chunks: list[tuple[str, str]]) -> None:
        self.revision = 1
        self.chunks = chunks

    def all_chunks(self) -> tuple[list[str], list[str], list[dict[str, Any]]]:
        ids = [cid for cid, _ in self.chunks]
        texts = [text for _, text in self.chunks]
        return ids, texts, [{"article_id": cid.split("#")[0]} for cid in ids]


@pytest.mark.parametrize(
    "after",
    [
        [("budget#0", BUDGET)],  # fewer chunks: position 1 is gone (an IndexError)
        [("ferry#0", FERRY), ("library#0", LIBRARY)],  # position 1 is another passage
    ],
    ids=["shrunk", "reordered"],
)
def test_a_rebuild_between_ranking_and_reading_does_not_mix_the_two(
    monkeypatch: pytest.MonkeyPatch, after: list[tuple[str, str]]
) -> None:
    store = _Store([("budget#0", BUDGET), ("ferry#0", FERRY)])
    index = BM25Index(store)  # type: ignore[arg-type]
    index.refresh()
    real_get_scores = bm25s.BM25.get_scores
    rebuilt: list[bool] = []

    def rank_then_rebuild(model: bm25s.BM25, *args: Any, **kwargs: Any) -> Any:
        """Rank as usual; then, before the search reads its results, an upload in
        another thread writes to the store and rebuilds the index."""
        scores = real_get_scores(model, *args, **kwargs)
        if not rebuilt:
            rebuilt.append(True)
            store.chunks, store.revision = after, 2
            upload = threading.Thread(target=index.refresh)
            upload.start()
            upload.join()
        return scores

    monkeypatch.setattr(bm25s.BM25, "get_scores", rank_then_rebuild)

    found = index.top("harbour ferry", 5, NO_FILTERS)

    assert rebuilt == [True]
    assert [(cid, text) for cid, text, _, _ in found] == [("ferry#0", FERRY)]
    assert found[0][2] == {"article_id": "ferry"}
    # The next search reads the new build.
    assert [cid for cid, *_ in index.top("library late fees", 5, NO_FILTERS)] == (
        ["library#0"] if len(after) == 2 else []
    )
