"""Hybrid retrieval: dense search in Chroma and BM25 (bm25s), fused.

Dense search finds paraphrases; BM25 finds the names, places and numbers that a small
embedding model blurs. Fusion is convex (each list's scores are min-max normalised over
its candidates and mixed as ``alpha * dense + (1 - alpha) * bm25``, so a chunk that both
score well wins and how far ahead a top hit stands counts) or reciprocal rank fusion
(``weight / (rrf_k + rank)`` from each ranking), as the profile says. Then
the question's own exact terms, which neither input weighs as a reader does:

- numbers: a question that names a year, a quarter or a season ("in 2019", "Q1 2021",
  "season 11") is about that one, but an embedding puts the 2018 prize beside the 2019
  one and BM25 weighs a year like any other word; each candidate gains ``number_weight``
  times the share of the question's numbers it contains ("the eleventh season" and "the
  third quarter" contain 11 and Q3);
- outlet: a question that names an outlet ("as reported by TechCrunch") is about its
  stories; a candidate from a source the question names gains ``source_weight``;
- date: a question that asks when ("When was Diablo 3 released?") wants a passage that
  gives a day of a month, but both inputs rank passages about the thing (its patches, its
  sequel) as high; a candidate that states a day of a month, not counting the date it
  opens with (a dateline), gains ``date_weight``.

The constants are the profile's (settings.PROFILE_FUSION), tuned on the shared sets.
Near-duplicate chunks (one wire story run by two outlets) collapse to the better-ranked.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.embeddings import SentenceEmbedder
from assistant.store import ChunkStore, with_context


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with where it sits in its article and how it ranked."""

    chunk_id: str
    article_id: str
    index: int
    text: str
    start: int
    end: int
    title: str = ""
    url: str = ""
    published: str = ""
    source: str = ""
    author: str = ""
    score: float = 0.0
    dense_rank: int | None = None  # 1-based rank in the dense list, None if not there
    bm25_rank: int | None = None

    @classmethod
    def from_record(cls, chunk_id: str, text: str, meta: dict[str, Any]) -> Passage:
        return cls(
            chunk_id=chunk_id,
            article_id=str(meta["article_id"]),
            index=int(meta["index"]),
            text=text,
            start=int(meta["start"]),
            end=int(meta["end"]),
            title=str(meta.get("title", "")),
            url=str(meta.get("url", "")),
            published=str(meta.get("published", "")),
            source=str(meta.get("source", "")),
            author=str(meta.get("author", "")),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "chunk_id": self.chunk_id,
            "article_id": self.article_id,
            "index": self.index,
            "title": self.title,
            "url": self.url,
            "published": self.published,
            "source": self.source,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 6),
            "dense_rank": self.dense_rank,
            "bm25_rank": self.bm25_rank,
        }

    def to_document(self) -> Document:
        return Document(page_content=self.text, metadata=self.as_dict(), id=self.chunk_id)


@dataclass(frozen=True)
class Filters:
    """Which articles a search may return; empty means all."""

    sources: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None

    def chroma_where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if self.date_from:
            clauses.append({"published_day": {"$gte": _day(self.date_from)}})
        if self.date_to:
            clauses.append({"published_day": {"$lte": _day(self.date_to)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def allows(self, meta: dict[str, Any]) -> bool:
        if self.sources and meta.get("source") not in self.sources:
            return False
        day = int(meta.get("published_day", 0))
        if self.date_from and day < _day(self.date_from):
            return False
        return not (self.date_to and day > _day(self.date_to))


NO_FILTERS = Filters()


def _day(value: date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


_SHINGLE_WORDS = re.compile(r"\w+")


def shingles(text: str, n: int = 3) -> set[tuple[str, ...]]:
    """Word n-grams of a text, lower-cased: the unit of near-duplicate detection."""
    words = _SHINGLE_WORDS.findall(text.lower())
    if len(words) < n:
        return {tuple(words)}
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


_NUMBER_WORDS = re.compile(r"[^\W_]*\d[^\W_]*")
_ORDINAL_SUFFIX = re.compile(r"(\d+)(?:st|nd|rd|th)")
# "first" and "second" are left out: mostly they count nothing ("first time", "a second").
_ORDINAL_WORDS = (
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
)
_ORDINALS = {word: str(n) for n, word in enumerate(_ORDINAL_WORDS, start=3)}
_QUARTERS = re.compile(r"\b(first|second|third|fourth|[1-4](?:st|nd|rd|th))[- ]quarter\b")
_QUARTER_NUMBER = {"first": "1", "second": "2", "third": "3", "fourth": "4"}


@lru_cache(maxsize=4096)  # the same passages come back for question after question
def numbers(text: str) -> frozenset[str]:
    """The words of a text that hold a digit, lower-cased ('2019', 'q1'), with ordinals as
    their number ('93rd' and 'eleventh' as '93' and '11') and 'third quarter' as 'q3'."""
    low = text.lower()
    found = set()
    for word in _NUMBER_WORDS.findall(low):
        ordinal = _ORDINAL_SUFFIX.fullmatch(word)
        found.add(ordinal.group(1) if ordinal else word)
    found |= {_ORDINALS[w] for w in _SHINGLE_WORDS.findall(low) if w in _ORDINALS}
    found |= {"q" + _QUARTER_NUMBER.get(q, q[0]) for q in _QUARTERS.findall(low)}
    return frozenset(found)


def number_match(wanted: frozenset[str], passage: Passage) -> float:
    """Share of the wanted numbers found in the passage, its title, source or date."""
    if not wanted:
        return 0.0
    found = numbers(
        with_context(
            passage.text, title=passage.title, source=passage.source, published=passage.published
        )
    )
    return len(wanted & found) / len(wanted)


_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
# A day of a month, as news text writes one: "May 15, 2012", "Dec. 1", "10 December 2020".
_DAY_OF_MONTH = re.compile(
    rf"\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b"
)
# The date a text opens with is when it was written, not a date it reports: a snippet's
# "Apr 20, 2022 ...", or a wire dateline, "WASHINGTON, May 3 (Reuters) -" or "NEW YORK,
# March 3, 2022 /PRNewswire/ --", whose place is in capitals.
_PLACE = r"[A-Z][A-Z.'\-]+(?: [A-Z][A-Z.'\-]+)*(?:, [A-Z][\w.'\-]+(?: [A-Z][\w.'\-]+)*)?"
_OPENING_DATE = re.compile(
    rf"\s*(?:{_MONTH}\.?\s+\d{{1,2}},\s+\d{{4}}"  # a snippet's date has its year
    rf"|{_PLACE},\s+{_MONTH}\.?\s+\d{{1,2}}(?:,\s+\d{{4}})?)"  # a dateline may not
    r"\s*(?:\([^)]{1,40}\)\s*|/[^/]{1,40}/\s*)?(?:\.\.\.|…|[-–—:]+)\s*"
)
_ASKS_WHEN = re.compile(
    r"^\s*when\b|\bwhen (?:is|was|will|did|does|do|are|were)\b|\b(?:what|which) (?:date|day)\b"
    r"|\b(?:release|premiere|launch|opening|air) date\b",
    re.IGNORECASE,
)


def asks_when(question: str) -> bool:
    """Whether the question asks for a date ("When was it released?", "on what day")."""
    return bool(_ASKS_WHEN.search(question))


@lru_cache(maxsize=4096)  # the same passages come back for question after question
def states_a_date(text: str) -> bool:
    """Whether the text gives a day of a month other than the date it opens with."""
    opening = _OPENING_DATE.match(text)
    return bool(_DAY_OF_MONTH.search(text, opening.end() if opening else 0))


_OUTLET_PARTS = re.compile(r"\s+[-|:·]\s+")


@lru_cache(maxsize=1024)
def _outlet_pattern(source: str) -> tuple[re.Pattern[str], re.Pattern[str] | None] | None:
    """The ways a question may name a source, as written (an outlet's name is capitalised,
    so 'an independent inquiry' does not name The Independent): 'The Independent - Sports'
    is named by 'The Independent - Sports', 'The Independent' or 'Independent'. The second
    pattern holds the names that lost their 'The', which are often plain words that any
    sentence capitalises first ('Age of the victims?' does not name The Age). None for a
    source too short to tell from an abbreviation."""
    full = source.strip()
    written = {n for n in {full, _OUTLET_PARTS.split(full)[0]} if len(n) >= 3}
    bare = {n.removeprefix("The ") for n in written} - written
    bare = {n for n in bare if len(n) >= 3}
    if not written:
        return None
    return _alternatives(written), _alternatives(bare) if bare else None


def _alternatives(names: set[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s)[\W_]*$")


def names_source(question: str, source: str) -> bool:
    """Whether the question names the passage's source."""
    patterns = _outlet_pattern(source) if source else None
    if not patterns:
        return False
    written, bare = patterns
    if written.search(question):
        return True
    return bare is not None and any(
        not _SENTENCE_START.search(question[: m.start()]) for m in bare.finditer(question)
    )


def jaccard(a: set[Any], b: set[Any]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def containment(a: set[Any], b: set[Any]) -> float:
    """Share of the smaller set found in the other: 1.0 when one text holds the other."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


class BM25Index:
    """A bm25s index over every chunk in the store, rebuilt when the store changes."""

    def __init__(self, store: ChunkStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._revision: int | None = None
        self._model: Any = None
        self.ids: list[str] = []
        self.texts: list[str] = []
        self.metas: list[dict[str, Any]] = []

    @staticmethod
    def tokenizer() -> Any:
        import bm25s
        import Stemmer  # PyStemmer

        return bm25s.tokenization.Tokenizer(stopwords="en", stemmer=Stemmer.Stemmer("english"))

    def refresh(self) -> None:
        """Rebuild the index if anything was written since it was built."""
        revision = self.store.revision
        if revision == self._revision:
            return
        with self._lock:
            if revision == self._revision:
                return
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
            self._tokenizer, self._model = tokenizer, model
            self.ids, self.texts, self.metas = ids, texts, metas
            self._revision = revision

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for the query (zeros where no query word occurs)."""
        self.refresh()
        if self._model is None:
            return np.zeros(0, dtype=np.float32)
        query_ids = self._tokenizer.tokenize(
            [query], update_vocab=False, return_as="ids", show_progress=False
        )[0]
        if not query_ids:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._model.get_scores(list(query_ids)), dtype=np.float32)

    def top(self, query: str, n: int, filters: Filters) -> list[tuple[int, float]]:
        """Positions and scores of the n best chunks that pass the filters."""
        scores = self.scores(query)
        if scores.size == 0:
            return []
        if filters != NO_FILTERS:
            allowed = np.fromiter(
                (filters.allows(m) for m in self.metas), dtype=bool, count=len(self.metas)
            )
            scores = np.where(allowed, scores, 0.0)
        n = min(n, int(np.count_nonzero(scores)))
        if n == 0:
            return []
        best = np.argpartition(-scores, n - 1)[:n]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(i), float(scores[i])) for i in best]


def _min_max(passages: list[Passage]) -> dict[str, float]:
    """Scores scaled to 0..1 over the list (all 1.0 when they are equal)."""
    if not passages:
        return {}
    high = max(p.score for p in passages)
    low = min(p.score for p in passages)
    if high == low:
        return {p.chunk_id: 1.0 for p in passages}
    return {p.chunk_id: (p.score - low) / (high - low) for p in passages}


class HybridSearcher:
    """Dense + BM25 + fusion + near-duplicate collapse, over one store."""

    def __init__(
        self,
        store: ChunkStore,
        embedder: SentenceEmbedder,
        *,
        candidates: int = 40,
        fusion: str = "convex",
        alpha: float = 0.55,
        rrf_k: float = 2,
        dense_weight: float = 1.0,
        bm25_weight: float = 1.5,
        number_weight: float = 0.0,
        source_weight: float = 0.0,
        date_weight: float = 0.0,
        dedupe_threshold: float = 0.8,
        mode: str = "hybrid",
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.bm25 = BM25Index(store)
        self.candidates = candidates
        self.fusion = fusion
        self.alpha = alpha
        self.rrf_k = rrf_k
        self.dense_weight = dense_weight
        self.bm25_weight = bm25_weight
        self.number_weight = number_weight
        self.source_weight = source_weight
        self.date_weight = date_weight
        self.dedupe_threshold = dedupe_threshold
        self.mode = mode

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
        index = self.bm25
        return [
            replace(
                Passage.from_record(index.ids[i], index.texts[i], index.metas[i]),
                score=score,
                bm25_rank=rank,
            )
            for rank, (i, score) in enumerate(index.top(query, n, filters), start=1)
        ]

    def search(
        self, query: str, k: int = 5, filters: Filters = NO_FILTERS, mode: str | None = None
    ) -> list[Passage]:
        """The k best passages for the query; mode is 'hybrid', 'dense' or 'bm25'."""
        mode = mode or self.mode
        if not query.strip():
            return []
        n = max(self.candidates, k)
        dense = self.dense(query, n, filters) if mode in ("hybrid", "dense") else []
        lexical = self.lexical(query, n, filters) if mode in ("hybrid", "bm25") else []
        fused = self.fuse(dense, lexical, query) if mode == "hybrid" else dense or lexical
        return self.collapse_duplicates(fused, k)

    def fuse(self, dense: list[Passage], lexical: list[Passage], query: str = "") -> list[Passage]:
        """The two candidate lists as one ranking, by this searcher's fusion, with the
        bonuses for the numbers and the outlet the question names."""
        if self.fusion == "rrf":
            fused = self.fuse_rrf(dense, lexical)
            # On the scale of a chunk first in both lists, as convex fusion's 1.0 is.
            top = (self.dense_weight + self.bm25_weight) / (self.rrf_k + 1)
        else:
            fused, top = self.fuse_convex(dense, lexical), 1.0
        wanted = numbers(query) if self.number_weight else frozenset()
        sources = {p.source for p in fused if p.source} if self.source_weight else set()
        named = {source for source in sources if names_source(query, source)}
        when = bool(self.date_weight) and asks_when(query)
        if not (wanted or named or when):
            return fused

        def bonus(p: Passage) -> float:
            by_number = self.number_weight * number_match(wanted, p)
            by_source = self.source_weight if p.source in named else 0.0
            by_date = self.date_weight if when and states_a_date(p.text) else 0.0
            return top * (by_number + by_source + by_date)

        boosted = [replace(p, score=p.score + bonus(p)) for p in fused]
        return sorted(boosted, key=lambda p: p.score, reverse=True)

    def fuse_convex(self, dense: list[Passage], lexical: list[Passage]) -> list[Passage]:
        """``alpha * dense + (1 - alpha) * bm25`` over min-max normalised scores; a chunk
        missing from one list scores 0 there."""
        dense_norm, bm25_norm = _min_max(dense), _min_max(lexical)
        merged = {p.chunk_id: p for p in lexical}
        for passage in dense:
            old = merged.get(passage.chunk_id)
            merged[passage.chunk_id] = (
                replace(passage, bm25_rank=old.bm25_rank) if old is not None else passage
            )
        scores = {
            cid: self.alpha * dense_norm.get(cid, 0.0) + (1 - self.alpha) * bm25_norm.get(cid, 0.0)
            for cid in merged
        }
        order = sorted(merged, key=lambda cid: scores[cid], reverse=True)
        return [replace(merged[cid], score=scores[cid]) for cid in order]

    def fuse_rrf(self, dense: list[Passage], lexical: list[Passage]) -> list[Passage]:
        """Weighted reciprocal rank fusion of the two rankings."""
        merged: dict[str, Passage] = {}
        scores: dict[str, float] = {}
        for passage in dense:
            merged[passage.chunk_id] = passage
            scores[passage.chunk_id] = self.dense_weight / (self.rrf_k + (passage.dense_rank or 0))
        for passage in lexical:
            contribution = self.bm25_weight / (self.rrf_k + (passage.bm25_rank or 0))
            if passage.chunk_id in merged:
                merged[passage.chunk_id] = replace(
                    merged[passage.chunk_id], bm25_rank=passage.bm25_rank
                )
            else:
                merged[passage.chunk_id] = passage
            scores[passage.chunk_id] = scores.get(passage.chunk_id, 0.0) + contribution
        order = sorted(merged, key=lambda cid: scores[cid], reverse=True)
        return [replace(merged[cid], score=scores[cid]) for cid in order]

    def collapse_duplicates(self, ranked: list[Passage], k: int) -> list[Passage]:
        """The first k passages, skipping any that repeats a better-ranked one's text."""
        kept: list[Passage] = []
        kept_shingles: list[set[tuple[str, ...]]] = []
        for passage in ranked:
            grams = shingles(passage.text)
            if any(containment(grams, other) >= self.dedupe_threshold for other in kept_shingles):
                continue
            kept.append(passage)
            kept_shingles.append(grams)
            if len(kept) == k:
                break
        return kept


class HybridRetriever(BaseRetriever):
    """The hybrid searcher as a LangChain retriever (Documents carry Passage fields)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: HybridSearcher
    k: int = 5
    filters: Filters = NO_FILTERS

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [p.to_document() for p in self.searcher.search(query, self.k, self.filters)]
