"""Sentences and content words: the units citations and extractive answers work in."""

from __future__ import annotations

import re

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
