"""Citations: ``[n]`` markers in an answer, checked against the passages they point at.

Passages are numbered ``[1]``…``[n]`` in the order given to the answerer. A marker whose
number points at no passage is dropped from the text and never shown. For each kept
marker the supporting span is the passage sentence that best matches the answer
sentence carrying the marker; its character offsets are in the article's own text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.retrieval import Passage

# The one reply for a question the articles do not answer; tests assert on it.
CANNOT_ANSWER = "The articles don't say."

MARKER = re.compile(r"\[(\d{1,3})\]")
_SPACED_MARKER = re.compile(r"\s*\[(\d{1,3})\]")  # a marker with the space before it

# A sentence ends at . ! or ? (optionally followed by closing quotes or brackets, and by
# citation markers, which belong to the sentence before them) and white space, unless
# what follows is lower-case or more dots (". . . we now know" is one sentence).
# Abbreviations split too early now and then; a quote is still a real span.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)\]]*(?:\s*\[\d{1,3}\])*\s+(?![a-z.…\[])")
_WORD = re.compile(r"\w+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "she",
        "so",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
    ]
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of a text, stripped of surrounding space."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start() + len(match.group().rstrip())))
        start = match.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def content_words(text: str) -> set[str]:
    """Lower-cased words of a text without the commonest function words."""
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


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
class Answer:
    """An answer, the citations it makes, and every passage it was given."""

    question: str
    text: str
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    backend: str
    refused: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The object ``newsdesk ask --json`` prints."""
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [c.as_dict() for c in self.citations],
            "passages": [{"n": i, **p.as_dict()} for i, p in enumerate(self.passages, start=1)],
            "backend": self.backend,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }


def best_span(claim: str, passage: Passage) -> tuple[str, int, int]:
    """The passage sentence sharing most content words with the claim, and its offsets."""
    wanted = content_words(claim)
    best = (-1.0, 0, len(passage.text))
    for s, e in sentence_spans(passage.text):
        words = content_words(passage.text[s:e])
        overlap = len(wanted & words) / (len(wanted) or 1)
        if overlap > best[0]:
            best = (overlap, s, e)
    _, s, e = best
    return passage.text[s:e], passage.start + s, passage.start + e


def resolve_citations(
    text: str, passages: list[Passage] | tuple[Passage, ...]
) -> tuple[str, tuple[Citation, ...]]:
    """Drop markers that point at no passage; return the cleaned text and its citations."""

    def keep(match: re.Match[str]) -> str:
        return match.group() if 1 <= int(match.group(1)) <= len(passages) else ""

    cleaned = _SPACED_MARKER.sub(keep, text).strip()
    citations: dict[int, Citation] = {}
    for s, e in sentence_spans(cleaned):
        sentence = cleaned[s:e]
        for match in MARKER.finditer(sentence):
            n = int(match.group(1))
            if n in citations:
                continue
            passage = passages[n - 1]
            quote, qs, qe = best_span(MARKER.sub("", sentence), passage)
            citations[n] = Citation(n, passage, quote, qs, qe)
    return cleaned, tuple(citations[n] for n in sorted(citations))
