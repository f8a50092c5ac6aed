"""Sentences and content words: the units citations, checks and extractive answers work in."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import pysbd

from ingest.furniture import FURNITURE as _FURNITURE  # page furniture, never quoted

# Sentences come from pysbd's English rules ("U.S." and "Dec. 3" do not end one), with
# four adjustments of our own: citation markers are taken out before splitting and
# given back to the sentence before them (pysbd would start the next sentence with a
# "[1]" written after a full stop); a piece that starts lower-case or holds no letter or
# digit joins the sentence before it (". . . we now know" is one sentence); so does a
# time zone after "a.m." or "p.m." ("at 8 p.m. ET on Sunday" is one sentence); and every
# character that is not white space lands in some sentence, so no marker is left over.
_MARKERS = re.compile(r"\s*\[\d{1,3}\]")
_PARAGRAPH = re.compile(r"(?:(?!\n[^\S\n]*\n).)+", re.DOTALL)  # text between blank lines
_CLOSERS = ")]”’"
_WORD = re.compile(r"\w+")
_CLOCK = re.compile(r"\b[ap]\.m\.$", re.IGNORECASE)
_TIME_ZONE = re.compile(
    r"(?:ET|EST|EDT|CT|CST|CDT|MT|MST|MDT|PT|PST|PDT|AKST|HST|GMT|UTC|BST|IST|CET|CEST|EET"
    r"|EEST|WET|MSK|JST|KST|HKT|SGT|AEST|AEDT|ACST|AWST|NZST|NZDT|SAST|WAT|EAT)\b"
)
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
    return list(_spans(text))


@lru_cache(maxsize=4096)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    kept: list[int] = []  # where each character of the marker-free text sits in ``text``
    last = 0
    for match in _MARKERS.finditer(text):
        kept.extend(range(last, match.start()))
        last = match.end()
    kept.extend(range(last, len(text)))
    plain = "".join(text[i] for i in kept)
    pieces = _merged(plain, _segments(plain))
    spans = [(kept[s], kept[e - 1] + 1) for s, e in pieces]
    return tuple(_cover(text, spans))


def _segments(plain: str) -> list[tuple[int, int]]:
    """pysbd's sentences of a marker-free text as stripped spans, found in order."""
    if not plain.strip():
        return []
    out: list[tuple[int, int]] = []
    segmenter = pysbd.Segmenter(language="en", clean=False)  # cheap; not shared by threads
    # A blank line ends a sentence (a headline has no full stop); a single line break is
    # the article's own wrapping and ends nothing ("will sail again from\nSaturday" is one
    # sentence), so it is read as a space, which keeps every offset where it was.
    for block in _PARAGRAPH.finditer(plain):
        start, text = block.start(), block.group().replace("\n", " ")
        pos = 0
        for piece in segmenter.segment(text):
            piece = piece.strip()
            at = text.find(piece, pos) if piece else -1
            if at < 0:
                continue  # pysbd changed it; its characters join a neighbour (see _cover)
            out.append((start + at, start + at + len(piece)))
            pos = at + len(piece)
    return out


def _merged(plain: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Pieces that start lower-case, hold no letter, follow with no space between, or
    start with a time zone after "a.m." or "p.m." joined to the one before; closing
    quotes and brackets that start a piece given back to the one before."""
    out: list[tuple[int, int]] = []
    for s, e in pieces:
        piece = plain[s:e]
        glued = out and out[-1][1] == s  # no space between: "![x](...)" is not a stop
        zone = out and _CLOCK.search(plain[out[-1][0] : out[-1][1]]) and _TIME_ZONE.match(piece)
        if out and (glued or zone or piece[0].islower() or not any(ch.isalnum() for ch in piece)):
            out[-1] = (out[-1][0], e)
            continue
        lead = len(piece) - len(piece.lstrip(_CLOSERS))
        if out and lead:
            out[-1] = (out[-1][0], s + lead)
            s += lead
            while s < e and plain[s].isspace():
                s += 1
        if s < e:
            out.append((s, e))
    return out


def _cover(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans widened so every character that is not white space is in one: markers after
    a sentence, and anything between two sentences, join the sentence before."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out:
            gap = text[out[-1][1] : s]
            if gap.strip():
                out[-1] = (out[-1][0], out[-1][1] + len(gap.rstrip()))
        elif text[:s].strip():
            s = len(text) - len(text.lstrip())
        out.append((s, e))
    if out:
        tail = text[out[-1][1] :]
        if tail.strip():
            out[-1] = (out[-1][0], out[-1][1] + len(tail.rstrip()))
    elif text.strip():
        out.append((len(text) - len(text.lstrip()), len(text.rstrip())))
    return out


@lru_cache(maxsize=1)
def stemmer() -> Any:
    """Snowball's English stemmer ("wages" and "wage" are "wage")."""
    import Stemmer

    return Stemmer.Stemmer("english")


def content_words(text: str) -> set[str]:
    """Lower-cased words of a text without the commonest function words."""
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def is_furniture(sentence: str) -> bool:
    """Whether a sentence is page furniture rather than reporting: a short all-capitals
    label ("QUIZ TIME", "CNN —") or boilerplate ("Leave a Comment", "Sign up for our
    newsletter")."""
    text = sentence.strip()
    letters = [ch for ch in text if ch.isalpha()]
    if letters and all(ch.isupper() for ch in letters) and len(text.split()) <= 6:
        return True
    return bool(_FURNITURE.match(text))
