"""Query rule: the numbers a question names (years, quarters, seasons, ordinals).

A question that names a year, a quarter or a season ("in 2019", "Q1 2021", "season 11")
is about that one, but an embedding puts the 2018 prize beside the 2019 one and BM25
weighs a year like any other word; each candidate gains the fusion's ``number_weight``
times the share of the question's numbers it holds ("the eleventh season" and "the third
quarter" hold 11 and Q3).
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.store.chroma import with_context
from assistant.types import Passage

_WORDS = re.compile(r"\w+")
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
    found |= {_ORDINALS[w] for w in _WORDS.findall(low) if w in _ORDINALS}
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
