"""The data that crosses the layers: passages, citations, answers, turns, stream events.

Frozen dataclasses, built by the layer that makes them and read by every layer above:
retrieval makes :class:`Passage`; answering makes :class:`Citation` and :class:`Answer`
and streams :data:`Event`; the store lists :class:`StoredArticle`. Nothing here imports
another part of Newsdesk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from langchain_core.documents import Document


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
class TimeWindow:
    """The days a question's time words name ("this week": Monday to the day it is asked)."""

    start: date
    end: date
    phrase: str = ""  # the words that named it, as the question wrote them
    # The last day an article about the window's days is still looked for: a month's
    # figures and events are reported into the month after ("inflation in May" comes out
    # in June). None: the window's own end.
    reported_until: date | None = None

    def widened(self, days: int) -> TimeWindow:
        """The window with ``days`` more on each side."""
        if days <= 0:
            return self
        step = timedelta(days=days)
        until = self.reported_until and self.reported_until + step
        return TimeWindow(self.start - step, self.end + step, self.phrase, until)

    @property
    def last_day(self) -> date:
        """The last publication day searched for: the end, or ``reported_until``."""
        return max(self.end, self.reported_until or self.end)

    def holds(self, day: int) -> bool:
        """Whether a YYYYMMDD day (a chunk's ``published_day``) falls in the window, or
        after it while its days are still being reported."""
        return _day(self.start) <= day <= _day(self.last_day)

    def as_dict(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "phrase": self.phrase}


@dataclass(frozen=True)
class Filters:
    """Which articles a search may return; empty means all.

    ``date_from``/``date_to`` are the reader's own filter: an undated article fails it.
    ``window`` is the time a question names: undated articles pass it, since they cannot
    be told apart.
    """

    sources: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    window: TimeWindow | None = None

    def chroma_where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if self.date_from:
            clauses.append({"published_day": {"$gte": _day(self.date_from)}})
        if self.date_to:
            clauses.append({"published_day": {"$lte": _day(self.date_to)}})
        if self.window:
            span = {
                "$and": [
                    {"published_day": {"$gte": _day(self.window.start)}},
                    {"published_day": {"$lte": _day(self.window.last_day)}},
                ]
            }
            clauses.append({"$or": [{"published_day": 0}, span]})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def allows(self, meta: dict[str, Any]) -> bool:
        if self.sources and meta.get("source") not in self.sources:
            return False
        day = int(meta.get("published_day", 0))
        if self.date_from and day < _day(self.date_from):
            return False
        if self.window and day and not self.window.holds(day):
            return False
        return not (self.date_to and day > _day(self.date_to))


NO_FILTERS = Filters()


def _day(value: date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


@dataclass(frozen=True)
class StoredArticle:
    """What the store knows of one article, from its chunk 0."""

    id: str
    title: str
    url: str
    published: str
    source: str
    author: str
    chunks: int
    content_hash: str


@dataclass(frozen=True)
class Citation:
    """One cited passage and the span of it that supports the claim."""

    n: int
    passage: Passage
    quote: str
    quote_start: int  # offsets of the quote in the article's text
    quote_end: int

    def as_dict(self) -> dict[str, Any]:
        p = self.passage
        return {
            "n": self.n,
            "article_id": p.article_id,
            "title": p.title,
            "url": p.url,
            "published": p.published,
            "source": p.source,
            "text": p.text,
            "start": p.start,
            "end": p.end,
            "quote": self.quote,
            "quote_start": self.quote_start,
            "quote_end": self.quote_end,
        }


@dataclass(frozen=True)
class RemovedClaim:
    """A sentence of the model's answer that its cited passage does not support: taken out
    of the answer and listed beside it, never hidden."""

    text: str  # the sentence, without its markers
    reason: str  # why it failed, in a short line
    cited: tuple[int, ...] = ()  # the passage numbers it cited, if any

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "reason": self.reason, "cited": list(self.cited)}


@dataclass(frozen=True)
class Answer:
    """An answer, the citations it makes, and every passage it was given."""

    question: str
    text: str
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    backend: str
    refused: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    quoted: bool = False  # the model found no answer; the text quotes the passages
    removed: tuple[RemovedClaim, ...] = ()  # claims taken out: no passage supports them
    window: TimeWindow | None = None  # the days the question's time words named, if any
    # The answer itself, as short as a headline ("The White House." / "Yes."), when the
    # model gave one and the cited passages hold it; ``text`` opens with it. "" otherwise.
    short: str = ""
    # Every sentence the model wrote was removed, and its short answer stands over the
    # passage sentence that holds it: ``text`` is ``short``, then that sentence quoted.
    quote_support: bool = False
    # The model's reply was that the articles don't say; then ``quoted`` or
    # ``quote_support`` tell what stands in for it, else the answer is ``refused``.
    declined: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The object ``newsdesk ask --json`` prints."""
        return {
            "question": self.question,
            "answer": self.text,
            "short": self.short,
            "refused": self.refused,
            "quoted": self.quoted,
            "quote_support": self.quote_support,
            "declined": self.declined,
            "removed": [r.as_dict() for r in self.removed],
            "citations": [c.as_dict() for c in self.citations],
            "passages": [{"n": i, **p.as_dict()} for i, p in enumerate(self.passages, start=1)],
            "backend": self.backend,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "window": self.window.as_dict() if self.window else None,
        }


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation."""

    question: str
    answer: str


@dataclass(frozen=True)
class Passages:
    """Stream event: the passages the answer will be written from, numbered from 1."""

    passages: tuple[Passage, ...]
    question: str  # the standalone question that was searched


@dataclass(frozen=True)
class Token:
    """Stream event: the next piece of the answer's text."""

    text: str


Event = Passages | Token | Answer
